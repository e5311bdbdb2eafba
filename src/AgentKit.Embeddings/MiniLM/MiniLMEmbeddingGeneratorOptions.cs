namespace AgentKit.Embeddings.MiniLM;

/// <summary>Options of a <see cref="MiniLMEmbeddingGenerator"/>.</summary>
public sealed record MiniLMEmbeddingGeneratorOptions
{
    /// <summary>Largest accepted <see cref="MaxInputsPerRequest"/>.</summary>
    public const int MaxInputsPerRequestLimit = 1_000_000;

    /// <summary>Which built-in model runs. Default <see cref="BuiltInEmbeddingModel.AllMiniLmL6V2"/>.</summary>
    public BuiltInEmbeddingModel Model { get; init; } = BuiltInEmbeddingModel.AllMiniLmL6V2;

    /// <summary>The id reported as the model (metadata, each embedding's <c>ModelId</c>). Default: the model's own id (<c>all-MiniLM-L6-v2</c>).</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// Inputs run through the model together (each batch is padded to its longest input; inputs are grouped by length
    /// first, so padding stays small). 1 to 256, default 32.
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Most inputs one <c>GenerateAsync</c> call accepts; more is refused with an <see cref="ArgumentException"/>. Default 10,000.</summary>
    public int MaxInputsPerRequest { get; init; } = 10_000;

    /// <summary>ONNX Runtime threads for one batch. Default: <see cref="Environment.ProcessorCount"/>.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Whether ONNX Runtime's threads spin-wait for the next batch after each one instead of sleeping. Spinning keeps
    /// cores busy between calls, which on a machine shared with the chat model's decode threads (or other requests)
    /// takes CPU from them and slows single queries; it can help only a machine that does nothing but embed
    /// back-to-back batches. Default <see langword="false"/> (figures in docs/benchmarks.md).
    /// </summary>
    public bool AllowThreadSpinning { get; init; }

    /// <summary>
    /// What happens to an input longer than <see cref="MiniLMEmbeddingGenerator.MaxInputTokens"/> word pieces (with
    /// <c>[CLS]</c> and <c>[SEP]</c>): <see langword="true"/> (default) keeps its first 254 word pieces, as
    /// sentence-transformers does; <see langword="false"/> refuses it with an <see cref="EmbeddingInputTooLongException"/>.
    /// </summary>
    public bool TruncateLongInputs { get; init; } = true;

    internal int EffectiveThreads => Threads ?? Environment.ProcessorCount;

    internal void Validate()
    {
        if (ModelId is not null && string.IsNullOrWhiteSpace(ModelId))
        {
            throw new ArgumentException("MiniLMEmbeddingGeneratorOptions.ModelId must not be empty.", nameof(ModelId));
        }

        if (!Enum.IsDefined(Model))
        {
            throw new ArgumentOutOfRangeException(nameof(Model), Model, "MiniLMEmbeddingGeneratorOptions.Model is not a built-in model.");
        }

        if (BatchSize is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "MiniLMEmbeddingGeneratorOptions.BatchSize must be 1 to 256.");
        }

        if (MaxInputsPerRequest is < 1 or > MaxInputsPerRequestLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInputsPerRequest), MaxInputsPerRequest, $"MiniLMEmbeddingGeneratorOptions.MaxInputsPerRequest must be 1 to {MaxInputsPerRequestLimit}.");
        }

        if (Threads is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "MiniLMEmbeddingGeneratorOptions.Threads must be 1 to 1024.");
        }
    }
}
