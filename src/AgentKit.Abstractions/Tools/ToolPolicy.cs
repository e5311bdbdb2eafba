namespace AgentKit.Abstractions.Tools;

/// <summary>Per-tool settings that override <see cref="ToolPipelineOptions"/> for one tool.</summary>
public sealed record ToolPolicy
{
    /// <summary>How long one invocation may run; <see langword="null"/> uses <see cref="ToolPipelineOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The most characters of a result sent back to the model; <see langword="null"/> uses <see cref="ToolPipelineOptions.MaxResultLength"/>.</summary>
    public int? MaxResultLength { get; init; }

    /// <summary>Whether a person must approve each call before it runs (for side-effecting tools). Defaults to <see langword="false"/>; a tool already wrapped in <c>ApprovalRequiredAIFunction</c> always requires approval.</summary>
    public bool RequiresApproval { get; init; }

    /// <summary>
    /// What a resumed agent run does with a call of this tool that started before a crash and has no recorded
    /// result. Defaults to <see cref="ToolIdempotency.NotIdempotent"/>: a person is asked before it runs again.
    /// </summary>
    public ToolIdempotency Idempotency { get; init; }
}
