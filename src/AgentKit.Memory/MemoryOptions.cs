using System.Globalization;

namespace AgentKit.Memory;

/// <summary>Settings of an <see cref="AgentMemory"/>. Defaults follow Park et al. 2023 and mem0 where they give one.</summary>
public sealed class MemoryOptions
{
    /// <summary>The vector store collection holding the memories. Defaults to <c>memories</c>.</summary>
    public string CollectionName { get; set; } = "memories";

    /// <summary>How many nearest memories a read takes from the vector search before rescoring them. Defaults to 100.</summary>
    public int CandidateCount { get; set; } = 100;

    /// <summary>The weight of recency in a read's score. Defaults to 1.</summary>
    public double RecencyWeight { get; set; } = 1;

    /// <summary>The weight of importance in a read's score. Defaults to 1.</summary>
    public double ImportanceWeight { get; set; } = 1;

    /// <summary>The weight of relevance (cosine similarity to the query) in a read's score. Defaults to 1.</summary>
    public double RelevanceWeight { get; set; } = 1;

    /// <summary>Recency is this factor to the power of the hours since the memory was last accessed. Defaults to 0.995.</summary>
    public double RecencyDecayPerHour { get; set; } = 0.995;

    /// <summary>The tokens a read returns at most when the call gives no budget. Defaults to 1,024.</summary>
    public int DefaultTokenBudget { get; set; } = 1024;

    /// <summary>Counts the tokens of a memory's text for the budget; <see langword="null"/> (the default) estimates one token per four characters.</summary>
    public Func<string, int>? TokenCounter { get; set; }

    /// <summary>Reads record last-accessed times in memory and write them to the store in batches of this many. Defaults to 64.</summary>
    public int AccessFlushBatchSize { get; set; } = 64;

    /// <summary>How many similar memories a new fact is reconciled against. Defaults to 5. 0 stores facts without reconciliation.</summary>
    public int ReconcileCandidateCount { get; set; } = 5;

    /// <summary>Summed importance of an agent's new memories (reflections excluded) that triggers a reflection. Defaults to 150; 0 turns automatic reflection off.</summary>
    public int ReflectionThreshold { get; set; } = 150;

    /// <summary>How many of the most recent memories reflection asks its questions about. Defaults to 100.</summary>
    public int ReflectionRecentCount { get; set; } = 100;

    /// <summary>How many questions a reflection asks. Defaults to 3.</summary>
    public int ReflectionQuestionCount { get; set; } = 3;

    /// <summary>How many memories are retrieved (and shown to the model) for each reflection question. Defaults to 10.</summary>
    public int ReflectionEvidenceCount { get; set; } = 10;

    /// <summary>The most insights kept per reflection question. Defaults to 5.</summary>
    public int MaxInsightsPerQuestion { get; set; } = 5;

    /// <summary>The most memories one agent keeps; beyond it the lowest-scoring, oldest observations go first. <see langword="null"/> (the default) for no cap.</summary>
    public int? MaxMemoriesPerAgent { get; set; }

    /// <summary>Whether e-mail addresses, phone numbers and card numbers (Luhn-checked) are replaced by placeholders before anything is stored or sent to the model for rating. Defaults to <see langword="false"/>.</summary>
    public bool RedactPersonalData { get; set; }

    /// <summary>The longest memory text accepted, in characters. Defaults to 8,000.</summary>
    public int MaxTextLength { get; set; } = 8000;

    /// <summary>The key of the keyed <c>VectorStore</c> service <c>AddAgentKitMemory</c> keeps the memories in; <see langword="null"/> (the default) for the unkeyed one.</summary>
    public string? VectorStoreKey { get; set; }

    /// <summary>The key of the keyed <c>IChatClient</c> service <c>AddAgentKitMemory</c> uses; <see langword="null"/> (the default) for the unkeyed one.</summary>
    public string? ChatClientKey { get; set; }

    /// <summary>
    /// The key of the keyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> service <c>AddAgentKitMemory</c> uses;
    /// <see langword="null"/> (the default) for the unkeyed one.
    /// </summary>
    public string? EmbeddingGeneratorKey { get; set; }

    /// <summary>Whether <c>AddAgentKitMemory</c> runs due reflections in a hosted background service instead of inside the write that made them due. Defaults to <see langword="true"/>.</summary>
    public bool BackgroundReflection { get; set; } = true;

    /// <summary>
    /// Whether memory uses the knowledge graph (registered by <c>AddAgentKitGraph</c>) when there is one: writes feed it
    /// (an <c>IGraphEvidenceSink</c>: one extraction call per memory added or updated; deleted memories leave it), and
    /// reads consult it (an <c>IGraphContextSource</c>): memories it links to the query's entities join the candidates,
    /// with the link's score as their relevance when it beats their cosine. Default true; no effect without a graph.
    /// </summary>
    public bool UseGraph { get; set; } = true;

    /// <summary>How many agents may wait for a background reflection. Defaults to 64.</summary>
    public int ReflectionQueueCapacity { get; set; } = 64;

    internal int CountTokens(string text) => TokenCounter?.Invoke(text) ?? (text.Length + 3) / 4;

    /// <summary>Lists what is wrong with the settings.</summary>
    /// <returns>One message per problem, naming the setting; empty when the settings are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(CollectionName))
        {
            errors.Add("Memory:CollectionName must not be empty.");
        }

        Range(errors, nameof(CandidateCount), CandidateCount, 1, 10_000);
        Range(errors, nameof(DefaultTokenBudget), DefaultTokenBudget, 1, int.MaxValue);
        Range(errors, nameof(AccessFlushBatchSize), AccessFlushBatchSize, 1, 100_000);
        Range(errors, nameof(ReconcileCandidateCount), ReconcileCandidateCount, 0, 100);
        Range(errors, nameof(ReflectionThreshold), ReflectionThreshold, 0, int.MaxValue);
        Range(errors, nameof(ReflectionRecentCount), ReflectionRecentCount, 1, 10_000);
        Range(errors, nameof(ReflectionQuestionCount), ReflectionQuestionCount, 1, 10);
        Range(errors, nameof(ReflectionEvidenceCount), ReflectionEvidenceCount, 1, 100);
        Range(errors, nameof(MaxInsightsPerQuestion), MaxInsightsPerQuestion, 1, 10);
        Range(errors, nameof(MaxTextLength), MaxTextLength, 1, 1_000_000);
        Range(errors, nameof(ReflectionQueueCapacity), ReflectionQueueCapacity, 1, 1_000_000);
        if (MaxMemoriesPerAgent is { } cap)
        {
            Range(errors, nameof(MaxMemoriesPerAgent), cap, 1, int.MaxValue);
        }

        foreach (var (name, weight) in new[] { (nameof(RecencyWeight), RecencyWeight), (nameof(ImportanceWeight), ImportanceWeight), (nameof(RelevanceWeight), RelevanceWeight) })
        {
            if (!double.IsFinite(weight) || weight < 0)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Memory:{name} {weight} must be a finite number of at least 0."));
            }
        }

        if (RecencyWeight + ImportanceWeight + RelevanceWeight <= 0)
        {
            errors.Add("Memory: at least one of RecencyWeight, ImportanceWeight and RelevanceWeight must be above 0.");
        }

        if (!(RecencyDecayPerHour > 0 && RecencyDecayPerHour <= 1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Memory:RecencyDecayPerHour {RecencyDecayPerHour} must be above 0 and at most 1."));
        }

        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }

    private static void Range(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Memory:{name} {value} must be between {min} and {max}."));
        }
    }
}
