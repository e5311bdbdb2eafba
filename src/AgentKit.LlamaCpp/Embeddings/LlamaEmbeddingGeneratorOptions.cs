namespace AgentKit.LlamaCpp.Embeddings;

/// <summary>Options of a <see cref="LlamaEmbeddingGenerator"/>.</summary>
public sealed record LlamaEmbeddingGeneratorOptions
{
    /// <summary>The id reported as the model. Default: the model's <c>general.name</c>, else the file name.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// Most tokens decoded at once; also the longest input accepted (an input must fit one batch, since
    /// non-causal encoders see the whole input at once). Default 2048.
    /// </summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Most inputs decoded together in one batch (one sequence each). Default 16.</summary>
    public int MaxInputsPerBatch { get; init; } = 16;

    /// <summary>How token vectors are pooled. Default: the model's own, or Mean when the model declares none.</summary>
    public LlamaPoolingType Pooling { get; init; } = LlamaPoolingType.Unspecified;

    /// <summary>Scale every embedding to unit length (L2), so dot product equals cosine similarity. Default true.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Most concurrent embedding requests (each gets its own context). Default 1.</summary>
    public int MaxContexts { get; init; } = 1;

    /// <summary>Threads per context. Default: <see cref="Environment.ProcessorCount"/>.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        if (BatchSize is < 8 or > LlamaContextOptions.MaxContextSize)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"LlamaEmbeddingGeneratorOptions.BatchSize must be 8 to {LlamaContextOptions.MaxContextSize}.");
        }

        if (MaxInputsPerBatch is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInputsPerBatch), MaxInputsPerBatch, "LlamaEmbeddingGeneratorOptions.MaxInputsPerBatch must be 1 to 256.");
        }

        if (MaxContexts is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxContexts), MaxContexts, "LlamaEmbeddingGeneratorOptions.MaxContexts must be 1 to 64.");
        }

        if (Pooling is LlamaPoolingType.None or LlamaPoolingType.Rank || !Enum.IsDefined(Pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "LlamaEmbeddingGeneratorOptions.Pooling must be Unspecified, Mean, Cls or Last.");
        }
    }
}
