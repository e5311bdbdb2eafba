namespace AgentKit.Embeddings;

/// <summary>An input is longer than the embedding model reads, and the generator was told to refuse such input rather than truncate it.</summary>
public sealed class EmbeddingInputTooLongException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="index">The input's position in the request.</param>
    /// <param name="tokens">Its length in the model's tokens, with the model's start and end tokens.</param>
    /// <param name="limit">The most tokens the model reads.</param>
    /// <param name="modelId">The model.</param>
    public EmbeddingInputTooLongException(int index, int tokens, int limit, string modelId)
        : base($"Embedding input {index} is {tokens} tokens; {modelId} reads at most {limit}. Split it into smaller chunks, or allow truncation (TruncateLongInputs).", "values")
    {
        Index = index;
        Tokens = tokens;
        Limit = limit;
    }

    /// <summary>The input's position in the request.</summary>
    public int Index { get; }

    /// <summary>Its length in tokens, with the model's start and end tokens.</summary>
    public int Tokens { get; }

    /// <summary>The most tokens the model reads.</summary>
    public int Limit { get; }
}
