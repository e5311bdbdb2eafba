namespace AgentKit.LlamaCpp;

/// <summary>
/// Options of an inference context. Every value is checked by <see cref="LlamaModel.CreateContext"/> before
/// any native call; an out-of-range value raises <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
public sealed record LlamaContextOptions
{
    /// <summary>Largest context this library accepts (2^24 tokens).</summary>
    public const int MaxContextSize = 1 << 24;

    /// <summary>
    /// Tokens the context holds (all sequences together, since the KV cache is unified by default).
    /// Default 4096; 0 means the model's training context.
    /// </summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>Most tokens submitted to one decode call (logical batch). Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Most tokens computed at once (physical micro-batch); at most <see cref="BatchSize"/>. Default 512.</summary>
    public int MicroBatchSize { get; init; } = 512;

    /// <summary>
    /// Threads for generating a token. Default: <see cref="Environment.ProcessorCount"/> (llama.cpp's own default
    /// oversubscribes small machines and can run two orders of magnitude slower).
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Threads for prompt (batch) processing. Default: <see cref="Environment.ProcessorCount"/>.</summary>
    public int BatchThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether the context keeps its CPU worker threads between decodes (a ggml thread pool attached to the context, as
    /// llama.cpp's own tools do; the workers sleep between decodes). Default true. False lets ggml start and join
    /// its workers in every llama_decode, i.e. once per generated token.
    /// </summary>
    public bool PersistentThreadPool { get; init; } = true;

    /// <summary>Number of sequences the context can hold at once (multi-sequence decoding). Default 1, at most 256.</summary>
    public int MaxSequences { get; init; } = 1;

    /// <summary>
    /// Whether all sequences share one KV buffer (default true): forked sequences then share the cells of
    /// their common prompt instead of copying them.
    /// </summary>
    public bool UnifiedKvCache { get; init; } = true;

    /// <summary>When to use flash attention. Default: <see cref="LlamaFlashAttention.Auto"/>.</summary>
    public LlamaFlashAttention FlashAttention { get; init; } = LlamaFlashAttention.Auto;

    /// <summary>Data type of the K cache. Default F16.</summary>
    public LlamaCacheType KeyCacheType { get; init; } = LlamaCacheType.F16;

    /// <summary>Data type of the V cache (a quantized V cache needs flash attention). Default F16.</summary>
    public LlamaCacheType ValueCacheType { get; init; } = LlamaCacheType.F16;

    /// <summary>Whether the context computes embeddings instead of logits. Default false.</summary>
    public bool Embeddings { get; init; }

    /// <summary>How token embeddings are pooled per sequence when <see cref="Embeddings"/> is on. Default: the model's own.</summary>
    public LlamaPoolingType Pooling { get; init; } = LlamaPoolingType.Unspecified;

    /// <summary>Offload the KV cache and attention to the GPU when layers are offloaded. Default true.</summary>
    public bool OffloadKv { get; init; } = true;

    internal void Validate()
    {
        Check(ContextSize is >= 0 and <= MaxContextSize, nameof(ContextSize), ContextSize, $"0 (the model's) to {MaxContextSize}");
        Check(BatchSize is >= 1 and <= MaxContextSize, nameof(BatchSize), BatchSize, $"1 to {MaxContextSize}");
        Check(MicroBatchSize >= 1 && MicroBatchSize <= BatchSize, nameof(MicroBatchSize), MicroBatchSize, $"1 to BatchSize ({BatchSize})");
        Check(Threads is >= 1 and <= 1024, nameof(Threads), Threads, "1 to 1024");
        Check(BatchThreads is >= 1 and <= 1024, nameof(BatchThreads), BatchThreads, "1 to 1024");
        Check(MaxSequences is >= 1 and <= 256, nameof(MaxSequences), MaxSequences, "1 to 256");
        Check(Enum.IsDefined(FlashAttention), nameof(FlashAttention), FlashAttention, "Auto, Disabled or Enabled");
        Check(Enum.IsDefined(KeyCacheType), nameof(KeyCacheType), KeyCacheType, "a LlamaCacheType value");
        Check(Enum.IsDefined(ValueCacheType), nameof(ValueCacheType), ValueCacheType, "a LlamaCacheType value");
        Check(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "a LlamaPoolingType value");
        if (ValueCacheType is not (LlamaCacheType.F16 or LlamaCacheType.F32 or LlamaCacheType.BF16) && FlashAttention == LlamaFlashAttention.Disabled)
        {
            throw new ArgumentOutOfRangeException(nameof(ValueCacheType), ValueCacheType, "A quantized V cache needs flash attention: set FlashAttention to Auto or Enabled.");
        }
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"LlamaContextOptions.{name} must be {range}.");
        }
    }
}

/// <summary>When flash attention is used.</summary>
public enum LlamaFlashAttention
{
    /// <summary>llama.cpp decides per device.</summary>
    Auto = -1,

    /// <summary>Never.</summary>
    Disabled = 0,

    /// <summary>Always.</summary>
    Enabled = 1,
}

/// <summary>Data types for the KV cache (values are ggml's <c>ggml_type</c>).</summary>
public enum LlamaCacheType
{
    /// <summary>32-bit float.</summary>
    F32 = 0,

    /// <summary>16-bit float (default).</summary>
    F16 = 1,

    /// <summary>4-bit quantized.</summary>
    Q4 = 2,

    /// <summary>4-bit quantized with offset.</summary>
    Q4WithOffset = 3,

    /// <summary>5-bit quantized.</summary>
    Q5 = 6,

    /// <summary>5-bit quantized with offset.</summary>
    Q5WithOffset = 7,

    /// <summary>8-bit quantized.</summary>
    Q8 = 8,

    /// <summary>bfloat16.</summary>
    BF16 = 30,
}

/// <summary>How token embeddings are pooled into one vector per sequence (llama.cpp's <c>llama_pooling_type</c>).</summary>
public enum LlamaPoolingType
{
    /// <summary>The model's own (from its metadata).</summary>
    Unspecified = -1,

    /// <summary>No pooling: one vector per token.</summary>
    None = 0,

    /// <summary>Mean of the token vectors.</summary>
    Mean = 1,

    /// <summary>The first (CLS) token's vector.</summary>
    Cls = 2,

    /// <summary>The last token's vector.</summary>
    Last = 3,

    /// <summary>Reranking score.</summary>
    Rank = 4,
}
