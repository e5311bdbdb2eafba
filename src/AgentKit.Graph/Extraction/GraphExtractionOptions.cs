namespace AgentKit.Graph;

/// <summary>How much one extraction may produce.</summary>
public sealed class GraphExtractionOptions
{
    /// <summary>The extraction prompt's name in the prompt registry. Default <c>graph/extract</c>.</summary>
    public string PromptName { get; set; } = "graph/extract";

    /// <summary>Entities kept from one chunk or memory; more are dropped (logged). Default 20; from 1 to 40 (the prompt's schema bound).</summary>
    public int MaxEntities { get; set; } = 20;

    /// <summary>Relations kept from one chunk or memory; more are dropped (logged). Default 30; from 1 to 60.</summary>
    public int MaxRelations { get; set; } = 30;

    /// <summary>Characters of text one extraction reads; a longer item fails with <see cref="GraphLimitExceededException"/>. Default 16,000.</summary>
    public int MaxTextLength { get; set; } = 16_000;

    /// <summary>Items one source may have in one update; more fail the update with <see cref="GraphLimitExceededException"/>. Default 10,000.</summary>
    public int MaxItemsPerSource { get; set; } = 10_000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PromptName, nameof(PromptName));
        if (MaxEntities is < 1 or > 40)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntities), MaxEntities, "GraphExtractionOptions.MaxEntities must be from 1 to 40.");
        }

        if (MaxRelations is < 1 or > 60)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRelations), MaxRelations, "GraphExtractionOptions.MaxRelations must be from 1 to 60.");
        }

        if (MaxTextLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTextLength), MaxTextLength, "GraphExtractionOptions.MaxTextLength must be positive.");
        }

        if (MaxItemsPerSource < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItemsPerSource), MaxItemsPerSource, "GraphExtractionOptions.MaxItemsPerSource must be positive.");
        }
    }
}
