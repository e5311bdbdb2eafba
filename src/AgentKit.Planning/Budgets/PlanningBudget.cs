namespace AgentKit.Planning;

/// <summary>
/// Limits on what one planner run may spend. A run that reaches a limit stops and returns a result whose
/// <see cref="PlanningResult.Outcome"/> is <see cref="PlanningOutcome.BudgetExceeded"/>, with what was spent; it
/// does not throw. Every limit is optional; <see cref="Unlimited"/> sets none.
/// </summary>
public sealed record PlanningBudget
{
    /// <summary>No limits.</summary>
    public static PlanningBudget Unlimited { get; } = new();

    /// <summary>The most model completions (one sequence of a multi-sequence batch counts as one). Default: none.</summary>
    public int? MaxCalls { get; init; }

    /// <summary>The most tokens, input plus output, summed over all completions. Default: none.</summary>
    public long? MaxTokens { get; init; }

    /// <summary>The longest the run may take, wall clock. Default: none.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Checks the limits are positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public void Validate()
    {
        if (MaxCalls is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCalls), MaxCalls, "PlanningBudget.MaxCalls must be positive (or null for no limit).");
        }

        if (MaxTokens is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "PlanningBudget.MaxTokens must be positive (or null for no limit).");
        }

        if (MaxDuration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDuration), MaxDuration, "PlanningBudget.MaxDuration must be positive (or null for no limit).");
        }
    }
}

/// <summary>Which limit stopped a run.</summary>
public enum BudgetResource
{
    /// <summary><see cref="PlanningBudget.MaxCalls"/>.</summary>
    Calls,

    /// <summary><see cref="PlanningBudget.MaxTokens"/>.</summary>
    Tokens,

    /// <summary><see cref="PlanningBudget.MaxDuration"/>.</summary>
    Time,

    /// <summary>A strategy's own bound on the size of its search (Tree-of-Thoughts nodes or DFS steps).</summary>
    SearchSize,
}

/// <summary>What a run had spent when it stopped on a limit.</summary>
/// <param name="Resource">The limit reached.</param>
/// <param name="Calls">Completions made.</param>
/// <param name="Tokens">Tokens spent, input plus output.</param>
/// <param name="Elapsed">Wall-clock time.</param>
/// <param name="Limit">The limit, in the resource's unit (calls, tokens, milliseconds or nodes).</param>
public sealed record BudgetExceeded(BudgetResource Resource, int Calls, long Tokens, TimeSpan Elapsed, long Limit)
{
    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"{Resource} limit {Limit} reached after {Calls} call(s), {Tokens} token(s), {Elapsed.TotalMilliseconds:0} ms");
}
