namespace AgentKit.Rag.Chunking;

/// <summary>How <see cref="TextChunker"/> cuts sections into chunks.</summary>
public sealed record ChunkingOptions
{
    /// <summary>The most tokens a chunk may have. Default 256; at least 16.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>
    /// How many tokens of whole sentences at the end of a chunk are repeated at the start of the next one in the
    /// same section. Default 32; 0 turns overlap off; less than half of <see cref="MaxTokens"/>.
    /// </summary>
    public int OverlapTokens { get; init; } = 32;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxTokens < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must be at least 16.");
        }

        if (OverlapTokens < 0 || OverlapTokens * 2 >= MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, $"OverlapTokens must be at least 0 and less than half of MaxTokens ({MaxTokens}).");
        }
    }
}
