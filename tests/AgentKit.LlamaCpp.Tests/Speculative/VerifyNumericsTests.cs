using System.Numerics.Tensors;
using AgentKit.LlamaCpp.Tests.Engine;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>
/// What greedy exactness under speculation rests on: a position's logits computed as one row of a verify batch are close
/// to the logits of decoding it alone (llama.cpp's CPU kernels do not promise bit-identical results for one token and
/// for several: within 1 % of the logits' span here), so only a near-tie between the top two tokens can flip a greedy
/// choice (docs/llama.md, "Speculative decoding", and docs/benchmarks.md measure it on the ~0.5B model).
/// </summary>
public sealed class VerifyNumericsTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    public async Task BatchRowLogits_EqualSingleDecodeLogits_UpToRounding(int batch)
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        var continuation = model.Vocabulary.Tokenize(" The order 4412 shipped on Monday.", addSpecial: false);
        Assert.True(continuation.Length >= batch);

        // Plain decoding: the prompt, then each continuation token alone; keep the logits after the batch's last token.
        context.Evaluate(LlamaSeqId.Zero, prompt);
        var held = context.SequenceTokens(0);
        float[] single = [];
        for (var i = 0; i < batch; i++)
        {
            context.ClearBatch();
            context.AddToBatch(continuation[i], held.Count, 0, wantLogits: true);
            context.Decode(CancellationToken.None, 0);
            held.Add(continuation[i]);
            single = context.GetLogits(0).ToArray();
        }

        // The same positions as one verify batch with logits on every row.
        context.TruncateSequence(0, prompt.Length);
        context.ClearBatch();
        for (var i = 0; i < batch; i++)
        {
            context.AddToBatch(continuation[i], prompt.Length + i, 0, wantLogits: true);
        }

        context.Decode(CancellationToken.None, 0);
        var batched = context.GetLogits(batch - 1).ToArray();

        var span = TensorPrimitives.Max(single) - TensorPrimitives.Min(single);
        var worst = 0f;
        for (var v = 0; v < single.Length; v++)
        {
            worst = Math.Max(worst, Math.Abs(batched[v] - single[v]));
        }

        Assert.True(worst <= span * 1e-2f, $"largest logit difference {worst} against a span of {span}");
        Assert.Equal(TensorPrimitives.IndexOfMax(single), TensorPrimitives.IndexOfMax(batched));
    }
}
