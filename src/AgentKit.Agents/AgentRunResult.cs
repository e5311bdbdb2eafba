using Microsoft.Extensions.AI;

namespace AgentKit.Agents;

/// <summary>How a run ended.</summary>
public enum AgentRunOutcome
{
    /// <summary>The model answered without asking for more tools.</summary>
    Completed,

    /// <summary>The run needed more model calls than <see cref="AgentLimits.MaxSteps"/>.</summary>
    StepLimitReached,

    /// <summary>The run used up <see cref="AgentLimits.MaxTokens"/>.</summary>
    TokenLimitReached,

    /// <summary>The run took longer than <see cref="AgentLimits.Timeout"/>.</summary>
    TimedOut,

    /// <summary>The caller cancelled the run.</summary>
    Cancelled,

    /// <summary>The model kept calling tools with invalid arguments past the retry budget (<see cref="Abstractions.Tools.ToolPipelineOptions.MaxInvalidArgumentRetries"/>).</summary>
    ToolArgumentsRejected,

    /// <summary>The model or the runtime failed; <see cref="AgentRunResult.Error"/> says how.</summary>
    Failed,
}

/// <summary>The result of one run.</summary>
public sealed record AgentRunResult
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The session.</summary>
    public required string SessionId { get; init; }

    /// <summary>How the run ended.</summary>
    public required AgentRunOutcome Outcome { get; init; }

    /// <summary>The text of the last assistant message (empty when there was none).</summary>
    public required string Text { get; init; }

    /// <summary>The messages this run added to the session: the input, assistant messages, tool results.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Model calls made.</summary>
    public required int Steps { get; init; }

    /// <summary>Tool calls made (or refused).</summary>
    public required int ToolCalls { get; init; }

    /// <summary>Tokens used by all model calls together.</summary>
    public required UsageDetails Usage { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>What went wrong, for outcomes other than <see cref="AgentRunOutcome.Completed"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the run completed.</summary>
    public bool IsCompleted => Outcome == AgentRunOutcome.Completed;
}
