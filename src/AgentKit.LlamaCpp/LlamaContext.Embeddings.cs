using System.Numerics.Tensors;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

public sealed partial class LlamaContext
{
    /// <summary>The pooling the context actually uses for embeddings.</summary>
    public LlamaPoolingType Pooling => (LlamaPoolingType)NativeMethods.llama_pooling_type(Pointer);

    /// <summary>
    /// Decodes several inputs in one batch (one sequence each) and returns one pooled embedding per input.
    /// The context must have been created with <see cref="LlamaContextOptions.Embeddings"/> and a pooling other than None.
    /// </summary>
    internal unsafe float[][] EmbedBatch(IReadOnlyList<LlamaToken[]> inputs, bool normalize, CancellationToken cancellationToken)
    {
        using var scope = Enter();
        if (inputs.Count > MaxSequences)
        {
            throw new LlamaContextOverflowException($"{inputs.Count} inputs in one batch but the context holds {MaxSequences} sequences.");
        }

        var total = inputs.Sum(i => i.Length);
        if (total > BatchSize)
        {
            throw new LlamaContextOverflowException(total, BatchSize, "The embedding batch");
        }

        NativeMethods.llama_memory_clear(_memory, true);
        foreach (var tokens in _sequences)
        {
            tokens.Clear();
        }

        ClearBatch();
        for (var s = 0; s < inputs.Count; s++)
        {
            for (var p = 0; p < inputs[s].Length; p++)
            {
                AddToBatch(inputs[s][p], p, s, wantLogits: true);
            }
        }

        Decode(cancellationToken, Enumerable.Range(0, inputs.Count).ToArray());
        var dimensions = EmbeddingDimensions;
        var result = new float[inputs.Count][];
        for (var s = 0; s < inputs.Count; s++)
        {
            var pooled = NativeMethods.llama_get_embeddings_seq(Pointer, s);
            if (pooled == null)
            {
                throw new LlamaException("llama.cpp returned no pooled embedding; the context's pooling type is None.");
            }

            var vector = new ReadOnlySpan<float>(pooled, dimensions).ToArray();
            if (normalize)
            {
                var norm = TensorPrimitives.Norm(vector);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(vector, norm, vector);
                }
            }

            result[s] = vector;
        }

        NativeMethods.llama_memory_clear(_memory, true);
        return result;
    }

    internal int EmbeddingDimensions
    {
        get
        {
            var output = NativeMethods.llama_model_n_embd_out(Model.NativePointer);
            return output > 0 ? output : NativeMethods.llama_model_n_embd(Model.NativePointer);
        }
    }
}
