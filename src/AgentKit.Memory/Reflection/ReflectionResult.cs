namespace AgentKit.Memory;

/// <summary>The outcome of one reflection.</summary>
public sealed record ReflectionResult
{
    /// <summary>The agent that reflected.</summary>
    public required string AgentId { get; init; }

    /// <summary>The questions the model asked about the recent memories.</summary>
    public required IReadOnlyList<string> Questions { get; init; }

    /// <summary>The insights stored as <see cref="MemoryKind.Reflection"/> memories, with their evidence and depth.</summary>
    public required IReadOnlyList<MemoryRecord> Insights { get; init; }

    /// <summary>Insights dropped because none of the ids they cited was among the memories shown.</summary>
    public int DroppedInsights { get; init; }

    /// <summary>Cited ids that were not among the memories shown, dropped from the insights that cited them.</summary>
    public int DroppedEvidenceIds { get; init; }
}
