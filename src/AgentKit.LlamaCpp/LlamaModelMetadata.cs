using System.Globalization;
using System.Text;
using AgentKit.LlamaCpp.Native;

namespace AgentKit.LlamaCpp;

/// <summary>What a loaded model's file says about it.</summary>
public sealed record LlamaModelMetadata
{
    /// <summary>The architecture (<c>general.architecture</c>), e.g. <c>qwen2</c> or <c>llama</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>The model's name (<c>general.name</c>) when the file has one.</summary>
    public string? Name { get; init; }

    /// <summary>llama.cpp's one-line description (type, size, quantization).</summary>
    public required string Description { get; init; }

    /// <summary>Number of parameters (0 for a vocabulary-only load).</summary>
    public long ParameterCount { get; init; }

    /// <summary>Total size of the tensors in bytes (0 for a vocabulary-only load).</summary>
    public long SizeBytes { get; init; }

    /// <summary>The context length the model was trained with.</summary>
    public int TrainingContextLength { get; init; }

    /// <summary>The embedding (hidden) size.</summary>
    public int EmbeddingLength { get; init; }

    /// <summary>Number of layers.</summary>
    public int LayerCount { get; init; }

    /// <summary>Number of attention heads.</summary>
    public int HeadCount { get; init; }

    /// <summary>Number of key/value heads (less than <see cref="HeadCount"/> with grouped-query attention).</summary>
    public int KeyValueHeadCount { get; init; }

    /// <summary>The default chat template (<c>tokenizer.chat_template</c>), or null when the file has none.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Whether the model has an encoder (e.g. T5, BERT-style embedding models).</summary>
    public bool HasEncoder { get; init; }

    /// <summary>Whether the model is recurrent (Mamba, RWKV): such KV state cannot be partially rolled back.</summary>
    public bool IsRecurrent { get; init; }

    /// <summary>The special tokens.</summary>
    public required LlamaSpecialTokens SpecialTokens { get; init; }

    /// <summary>Every scalar metadata key and its value as text (arrays are not included).</summary>
    public required IReadOnlyDictionary<string, string> Values { get; init; }

    internal static LlamaModelMetadata Read(LlamaModel model)
    {
        var pointer = model.NativePointer;
        var values = model.ReadAllMetadata();
        unsafe
        {
            var description = new byte[256];
            int length;
            fixed (byte* d = description)
            {
                length = NativeMethods.llama_model_desc(pointer, d, (nuint)description.Length);
            }

            var vocab = model.Vocabulary;
            var arch = values.GetValueOrDefault("general.architecture") ?? "unknown";
            return new LlamaModelMetadata
            {
                Architecture = arch,
                Name = values.GetValueOrDefault("general.name"),
                Description = length > 0 ? Encoding.UTF8.GetString(description, 0, Math.Min(length, description.Length - 1)) : "",
                ParameterCount = model.IsVocabOnly ? 0 : (long)NativeMethods.llama_model_n_params(pointer),
                SizeBytes = model.IsVocabOnly ? 0 : (long)NativeMethods.llama_model_size(pointer),
                TrainingContextLength = NativeMethods.llama_model_n_ctx_train(pointer),
                EmbeddingLength = NativeMethods.llama_model_n_embd(pointer),
                LayerCount = NativeMethods.llama_model_n_layer(pointer),
                // llama_model_n_head aborts the process on a model without layers (vocabulary-only loads).
                HeadCount = model.IsVocabOnly ? IntValue(values, arch + ".attention.head_count") : NativeMethods.llama_model_n_head(pointer),
                KeyValueHeadCount = model.IsVocabOnly ? IntValue(values, arch + ".attention.head_count_kv") : NativeMethods.llama_model_n_head_kv(pointer),
                ChatTemplate = NativeMethods.PtrToString(NativeMethods.llama_model_chat_template(pointer, null)),
                HasEncoder = NativeMethods.llama_model_has_encoder(pointer),
                IsRecurrent = NativeMethods.llama_model_is_recurrent(pointer),
                SpecialTokens = new LlamaSpecialTokens(vocab.Bos, vocab.Eos, vocab.Eot, vocab.Separator, vocab.Newline, vocab.Padding),
                Values = values,
            };
        }
    }

    private static int IntValue(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Architecture}, {ParameterCount:N0} parameters, {SizeBytes:N0} bytes, context {TrainingContextLength}, embedding {EmbeddingLength}");
}

/// <summary>A model's special tokens; <see cref="LlamaToken.Null"/> where the vocabulary has none.</summary>
/// <param name="Bos">Beginning of sequence.</param>
/// <param name="Eos">End of sequence.</param>
/// <param name="Eot">End of turn.</param>
/// <param name="Separator">Sentence separator.</param>
/// <param name="Newline">Newline.</param>
/// <param name="Padding">Padding.</param>
public sealed record LlamaSpecialTokens(LlamaToken Bos, LlamaToken Eos, LlamaToken Eot, LlamaToken Separator, LlamaToken Newline, LlamaToken Padding);
