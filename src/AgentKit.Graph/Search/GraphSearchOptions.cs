namespace AgentKit.Graph;

/// <summary>How far and how much local search reads.</summary>
public sealed class GraphSearchOptions
{
    /// <summary>Hops from the question's entities. Default 2; from 1 to 4.</summary>
    public int Hops { get; set; } = 2;

    /// <summary>Relations read in all hops together. Default 300; from 1 to 10,000.</summary>
    public int MaxRelations { get; set; } = 300;

    /// <summary>Entities the question links to at most. Default 8; from 1 to 100.</summary>
    public int MaxSeeds { get; set; } = 8;

    /// <summary>
    /// The least cosine similarity between the question's embedding and an entity name's for the entity to be linked
    /// without its name appearing in the question. Default 0.5; from 0 to 1 (1 links by name only).
    /// </summary>
    public double LinkThreshold { get; set; } = 0.5;

    /// <summary>Evidence items returned at most, when the query does not say. Default 8; from 1 to 100.</summary>
    public int MaxEvidence { get; set; } = 8;

    /// <summary>Tokens of context text, when the query does not say. Default 800; from 1 to 100,000.</summary>
    public int MaxTokens { get; set; } = 800;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        Range(Hops, 1, 4, nameof(Hops));
        Range(MaxRelations, 1, 10_000, nameof(MaxRelations));
        Range(MaxSeeds, 1, 100, nameof(MaxSeeds));
        Range(MaxEvidence, 1, 100, nameof(MaxEvidence));
        Range(MaxTokens, 1, 100_000, nameof(MaxTokens));
        if (double.IsNaN(LinkThreshold) || LinkThreshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LinkThreshold), LinkThreshold, "GraphSearchOptions.LinkThreshold must be from 0 to 1.");
        }
    }

    private static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"GraphSearchOptions.{name} must be from {min} to {max}.");
        }
    }
}
