using AgentKit.Rag.Ingestion;

namespace AgentKit.Rag.Knowledge;

/// <summary>Where a knowledge base's ingestion stands.</summary>
public enum KnowledgeIngestionState
{
    /// <summary>Not ingested in this process yet (what an earlier run stored is searchable).</summary>
    NotIngested,

    /// <summary>An ingestion run is going on; searches see what is stored so far.</summary>
    Ingesting,

    /// <summary>The last run finished.</summary>
    Ready,

    /// <summary>The last run failed; <see cref="KnowledgeBaseStatus.Error"/> says why.</summary>
    Failed,
}

/// <summary>A knowledge base's ingestion status.</summary>
/// <param name="State">Where ingestion stands.</param>
/// <param name="LastReport">The last finished run's report; <see langword="null"/> before the first.</param>
/// <param name="Error">Why the last run failed; <see langword="null"/> unless <see cref="KnowledgeIngestionState.Failed"/>.</param>
public sealed record KnowledgeBaseStatus(KnowledgeIngestionState State, IngestionReport? LastReport = null, string? Error = null);
