namespace AgentKit.Graph;

/// <summary>When two names are taken for one entity.</summary>
public sealed class EntityResolutionOptions
{
    /// <summary>
    /// The cosine similarity of name embeddings from which a new name merges into an existing entity (logged in the
    /// merge log). Equal normalized names always merge. Default 0.9: with MiniLM, spelling variants ("Zentrix Inc" /
    /// "Zentrix") pass and different things with similar names ("Lisbon" / "Porto") do not. From 0 to 1; 1 turns
    /// embedding merges off.
    /// </summary>
    public double SimilarityThreshold { get; set; } = 0.9;

    /// <summary>Whether an embedding merge also needs equal types (a person never merges into a place). Default true.</summary>
    public bool RequireSameType { get; set; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not from 0 to 1.</exception>
    public void Validate()
    {
        if (double.IsNaN(SimilarityThreshold) || SimilarityThreshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SimilarityThreshold), SimilarityThreshold, "EntityResolutionOptions.SimilarityThreshold must be from 0 to 1.");
        }
    }
}
