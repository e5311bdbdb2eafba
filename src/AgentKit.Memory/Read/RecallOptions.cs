namespace AgentKit.Memory;

/// <summary>Per-call settings of a memory read.</summary>
public sealed class RecallOptions
{
    /// <summary>The most tokens the returned memories may hold together; <see langword="null"/> uses <see cref="MemoryOptions.DefaultTokenBudget"/>.</summary>
    public int? TokenBudget { get; set; }

    /// <summary>The most memories returned; <see langword="null"/> for as many as fit the budget.</summary>
    public int? MaxResults { get; set; }

    /// <summary>Only memories of these kinds; <see langword="null"/> or empty for all kinds.</summary>
    public IReadOnlyList<MemoryKind>? Kinds { get; set; }

    /// <summary>Whether the returned memories count as accessed (recency restarts). Defaults to <see langword="true"/>, as in Park et al.</summary>
    public bool UpdateLastAccessed { get; set; } = true;
}
