namespace AgentKit.Abstractions.Tools;

/// <summary>
/// Decides whether a tool call that needs approval may run. The CLI asks the user; an HTTP host registers
/// <c>PendingApprovals</c> (AgentKit.Agents) and exposes its list to approve or deny.
/// </summary>
public interface IToolApprovalHandler
{
    /// <summary>Waits for the decision on one tool call.</summary>
    /// <param name="request">The call awaiting approval.</param>
    /// <param name="cancellationToken">Cancelled when the run is cancelled; the call is then not made.</param>
    /// <returns>The decision.</returns>
    ValueTask<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken);
}

/// <summary>A tool call waiting for a person's approval.</summary>
/// <param name="ApprovalId">Identifies the request; pass it to <c>PendingApprovals.Approve</c> or <c>PendingApprovals.Deny</c>.</param>
/// <param name="SessionId">The session whose run made the call.</param>
/// <param name="AgentName">The agent that made the call.</param>
/// <param name="ToolName">The tool to run.</param>
/// <param name="CallId">The model's id for the call.</param>
/// <param name="Arguments">The arguments the model gave, already checked against the tool's schema.</param>
/// <param name="RequestedAt">When the request was made.</param>
public sealed record ToolApprovalRequest(
    string ApprovalId, string SessionId, string AgentName, string ToolName, string CallId, IReadOnlyDictionary<string, object?> Arguments, DateTimeOffset RequestedAt);

/// <summary>The answer to a <see cref="ToolApprovalRequest"/>.</summary>
/// <param name="Approved">Whether the call may run.</param>
/// <param name="Reason">Why, shown to the model when denied.</param>
public sealed record ToolApprovalDecision(bool Approved, string? Reason = null)
{
    /// <summary>Lets the call run.</summary>
    /// <param name="reason">An optional note.</param>
    /// <returns>An approving decision.</returns>
    public static ToolApprovalDecision Approve(string? reason = null) => new(true, reason);

    /// <summary>Refuses the call; the model is told it was denied.</summary>
    /// <param name="reason">Why it was denied.</param>
    /// <returns>A denying decision.</returns>
    public static ToolApprovalDecision Deny(string? reason = null) => new(false, reason);
}

/// <summary>An <see cref="IToolApprovalHandler"/> over a delegate, for hosts that ask interactively (the CLI).</summary>
/// <param name="decide">Asks for and returns the decision.</param>
public sealed class DelegateToolApprovalHandler(Func<ToolApprovalRequest, CancellationToken, ValueTask<ToolApprovalDecision>> decide) : IToolApprovalHandler
{
    private readonly Func<ToolApprovalRequest, CancellationToken, ValueTask<ToolApprovalDecision>> _decide = decide ?? throw new ArgumentNullException(nameof(decide));

    /// <inheritdoc />
    public ValueTask<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken) => _decide(request, cancellationToken);
}

/// <summary>Denies every call: used when no handler is registered, so side-effecting tools never run unasked.</summary>
internal sealed class DenyingToolApprovalHandler : IToolApprovalHandler
{
    public static DenyingToolApprovalHandler Instance { get; } = new();

    public ValueTask<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ToolApprovalDecision.Deny("No approval handler is configured, so calls that need approval are denied."));
}
