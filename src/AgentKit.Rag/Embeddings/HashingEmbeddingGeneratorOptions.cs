namespace AgentKit.Rag.Embeddings;

/// <summary>Settings of <see cref="HashingEmbeddingGenerator"/>.</summary>
public sealed record HashingEmbeddingGeneratorOptions
{
    /// <summary>The vector length. Default 384; from 16 to 65,536.</summary>
    public int Dimensions { get; init; } = 384;

    /// <summary>Whether adjacent word pairs are features too (they capture phrases such as "reverse proxy"). Default true.</summary>
    public bool IncludeBigrams { get; init; } = true;

    /// <summary>The weight of a bigram feature relative to a word. Default 0.5; from 0 to 4.</summary>
    public float BigramWeight { get; init; } = 0.5f;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Dimensions is < 16 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Dimensions must be from 16 to 65536.");
        }

        if (!float.IsFinite(BigramWeight) || BigramWeight is < 0 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(BigramWeight), BigramWeight, "BigramWeight must be from 0 to 4.");
        }
    }
}
