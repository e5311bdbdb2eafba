namespace AgentKit.Memory;

/// <summary>What a write did to the memory (the mem0 operations, plus eviction by the size cap).</summary>
public enum MemoryOperation
{
    /// <summary>A new memory was stored.</summary>
    Add,

    /// <summary>An existing memory was replaced by a text carrying more information.</summary>
    Update,

    /// <summary>An existing memory contradicted by the new fact was removed.</summary>
    Delete,

    /// <summary>Nothing changed: the fact was already known.</summary>
    Noop,

    /// <summary>A memory was removed to keep the agent under its size cap.</summary>
    Evict,
}

/// <summary>One change a write made, or one decision it did not apply.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="MemoryId">The memory it concerns (the new one for <see cref="MemoryOperation.Add"/>); <see langword="null"/> for a NOOP that names none.</param>
/// <param name="Text">The stored text for ADD and UPDATE; the removed text for DELETE and EVICT; empty for NOOP.</param>
/// <param name="Reason">The model's reason, or why AgentKit made or rejected the change.</param>
public sealed record MemoryChange(MemoryOperation Operation, Guid? MemoryId, string Text, string Reason);

/// <summary>The outcome of a write.</summary>
public sealed record MemoryWriteResult
{
    /// <summary>The changes applied, in the order they were decided (evictions last).</summary>
    public required IReadOnlyList<MemoryChange> Changes { get; init; }

    /// <summary>Decisions of the model that were not applied (an id it was not shown, a missing text, a second ADD), with why.</summary>
    public IReadOnlyList<MemoryChange> Rejected { get; init; } = [];

    /// <summary>The memory added or updated by the write; <see langword="null"/> when it only deleted or changed nothing.</summary>
    public MemoryRecord? Stored { get; init; }

    /// <summary>The importance the text was given (rated by the model unless the caller set it).</summary>
    public required int Importance { get; init; }

    /// <summary>Whether the write pushed the agent over the reflection threshold and a reflection ran or was queued.</summary>
    public bool ReflectionTriggered { get; init; }
}

/// <summary>Per-call settings of a write.</summary>
public sealed class RememberOptions
{
    /// <summary>What the memory is. Defaults to <see cref="MemoryKind.Observation"/>; <see cref="MemoryKind.Fact"/> is reconciled first.</summary>
    public MemoryKind Kind { get; set; } = MemoryKind.Observation;

    /// <summary>The importance, 1–10; <see langword="null"/> (the default) has the model rate it.</summary>
    public int? Importance { get; set; }

    /// <summary>Labels stored with the memory.</summary>
    public IReadOnlyList<string>? Tags { get; set; }

    /// <summary>Whether a fact is reconciled against similar memories. Defaults to <see langword="true"/>; ignored for other kinds.</summary>
    public bool Reconcile { get; set; } = true;
}
