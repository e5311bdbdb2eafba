namespace AgentKit.Agents;

/// <summary>Bounds on one run; reaching one ends the run with a typed <see cref="AgentRunOutcome"/>.</summary>
public sealed record AgentLimits
{
    private readonly int _maxSteps = 10;
    private readonly long? _maxTokens;
    private readonly TimeSpan _timeout = TimeSpan.FromMinutes(5);

    /// <summary>The most model calls in one run. Defaults to 10. Exceeding it ends the run with <see cref="AgentRunOutcome.StepLimitReached"/>.</summary>
    public int MaxSteps
    {
        get => _maxSteps;
        init => _maxSteps = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxSteps), value, "An agent needs at least one step.");
    }

    /// <summary>
    /// The most tokens (input plus output, as the model reports them) one run may use; <see langword="null"/> (the
    /// default) for no limit. Checked before each model call: once used up, the run ends with
    /// <see cref="AgentRunOutcome.TokenLimitReached"/>.
    /// </summary>
    public long? MaxTokens
    {
        get => _maxTokens;
        init => _maxTokens = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxTokens), value, "The token limit must be positive.");
    }

    /// <summary>Wall-clock limit of one run, approvals included. Defaults to 5 minutes. Exceeding it ends the run with <see cref="AgentRunOutcome.TimedOut"/>.</summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        init => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(Timeout), value, "The run timeout must be positive.");
    }
}
