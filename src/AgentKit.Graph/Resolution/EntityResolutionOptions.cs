namespace AgentKit.Graph;

/// <summary>When two names are taken for one entity.</summary>
public sealed class EntityResolutionOptions
{
    /// <summary>
    /// The cosine similarity of name embeddings from which a new name merges into an existing entity (logged in the
    /// merge log). Equal normalized names always merge. Default 0.85: with MiniLM, variants score 0.88–0.96
    /// ("Zentrix Inc" / "Zentrix" 0.89, "Dr Alice Moreau" / "Alice Moreau" 0.89) and different things with similar
    /// names 0.67–0.69 ("Lisbon" / "Porto", "John Smith" / "Jane Smith"). From 0 to 1; 1 turns
    /// embedding merges off.
    /// </summary>
    public double SimilarityThreshold { get; set; } = 0.85;

    /// <summary>Whether an embedding merge also needs equal types (a person never merges into a place). Default true.</summary>
    public bool RequireSameType { get; set; } = true;

    /// <summary>
    /// The least character-trigram overlap (Jaccard, on normalized names) an embedding merge also needs. Embeddings
    /// alone take different people with one surname ("Luis Tanaka" / "Bruno Tanaka", 0.87 with MiniLM) or invented
    /// names with shared syllables for one; their trigram overlap is 0.3–0.45, a variant's 0.6–0.85. Default 0.5;
    /// from 0 (off) to 1.
    /// </summary>
    public double MinNameOverlap { get; set; } = 0.5;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not from 0 to 1.</exception>
    public void Validate()
    {
        if (double.IsNaN(SimilarityThreshold) || SimilarityThreshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SimilarityThreshold), SimilarityThreshold, "EntityResolutionOptions.SimilarityThreshold must be from 0 to 1.");
        }

        if (double.IsNaN(MinNameOverlap) || MinNameOverlap is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinNameOverlap), MinNameOverlap, "EntityResolutionOptions.MinNameOverlap must be from 0 to 1.");
        }
    }
}
