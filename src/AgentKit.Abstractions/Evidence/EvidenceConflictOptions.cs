namespace AgentKit.Abstractions.Evidence;

/// <summary>Bounds and thresholds of an <see cref="EvidenceConflictDetector"/>.</summary>
public sealed record EvidenceConflictOptions
{
    /// <summary>
    /// Least word overlap (Jaccard, over stemmed content words with the values taken out) for two statements with
    /// different values to count as stating the same thing. Default 0.5.
    /// </summary>
    public double ValueSimilarity { get; init; } = 0.5;

    /// <summary>Least word overlap for two statements that differ only in negation to count as contradicting. Default 0.7.</summary>
    public double NegationSimilarity { get; init; } = 0.7;

    /// <summary>Content words two statements must share, besides their values, to be compared at all. Default 2.</summary>
    public int MinSharedWords { get; init; } = 2;

    /// <summary>Statements (sentences, or lines of structured results) examined in all; the rest are not compared. Default 1,000.</summary>
    public int MaxStatements { get; init; } = 1000;

    /// <summary>Longest statement compared, in characters; longer ones are skipped (they hold several facts). Default 600.</summary>
    public int MaxStatementLength { get; init; } = 600;

    /// <summary>Most conflicts reported (the most similar pairs first). Default 10.</summary>
    public int MaxConflicts { get; init; } = 10;

    internal void Validate()
    {
        Check(ValueSimilarity is > 0 and <= 1, nameof(ValueSimilarity), ValueSimilarity, "above 0 and at most 1");
        Check(NegationSimilarity is > 0 and <= 1, nameof(NegationSimilarity), NegationSimilarity, "above 0 and at most 1");
        Check(MinSharedWords is >= 1 and <= 100, nameof(MinSharedWords), MinSharedWords, "1 to 100");
        Check(MaxStatements is >= 2 and <= 100_000, nameof(MaxStatements), MaxStatements, "2 to 100,000");
        Check(MaxStatementLength is >= 10 and <= 100_000, nameof(MaxStatementLength), MaxStatementLength, "10 to 100,000");
        Check(MaxConflicts is >= 1 and <= 1000, nameof(MaxConflicts), MaxConflicts, "1 to 1,000");
    }

    private static void Check(bool valid, string name, object value, string range)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, $"EvidenceConflictOptions.{name} must be {range}.");
        }
    }
}
