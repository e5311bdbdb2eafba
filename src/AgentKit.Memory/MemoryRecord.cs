namespace AgentKit.Memory;

/// <summary>One memory of one agent.</summary>
public sealed record MemoryRecord
{
    /// <summary>The memory's id; <see cref="Guid.Empty"/> on a record to import means "assign one".</summary>
    public Guid Id { get; init; }

    /// <summary>The text, after redaction when that policy is on.</summary>
    public required string Text { get; init; }

    /// <summary>What the memory is.</summary>
    public MemoryKind Kind { get; init; }

    /// <summary>When the memory was written.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When the memory was last written or returned by a read; recency is computed from it.</summary>
    public DateTimeOffset LastAccessed { get; init; }

    /// <summary>How important the memory is, from 1 (mundane) to 10 (life-changing).</summary>
    public int Importance { get; init; }

    /// <summary>The embedding of <see cref="Text"/>; empty on records read without vectors.</summary>
    public ReadOnlyMemory<float> Embedding { get; init; }

    /// <summary>For reflections: the memories the insight was inferred from. They may since have been forgotten.</summary>
    public IReadOnlyList<Guid> EvidenceIds { get; init; } = [];

    /// <summary>0 for observations, facts and plans; for a reflection, 1 + the largest depth of its evidence.</summary>
    public int Depth { get; init; }

    /// <summary>The agent the memory belongs to.</summary>
    public required string AgentId { get; init; }

    /// <summary>The session the memory was written in, when known.</summary>
    public string? SessionId { get; init; }

    /// <summary>Free labels.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
