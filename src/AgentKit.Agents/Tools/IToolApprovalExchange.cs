using AgentKit.Abstractions.Tools;

namespace AgentKit.Agents.Tools;

/// <summary>
/// Shares pending tool approvals among the processes that serve the same sessions (replicas on one database), so a
/// request waiting in one process is listed, and answered, in any of them. <see cref="PendingApprovals"/> uses it when
/// one is registered (the PostgreSQL store registers one); without it approvals live in the waiting process only.
/// </summary>
public interface IToolApprovalExchange
{
    /// <summary>
    /// Records that <paramref name="request"/> waits for a decision. Publishing an id again (a resumed run asking under
    /// its recorded id) keeps a decision already given for it, which the next wait then returns at once.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when every process can see the request.</returns>
    ValueTask PublishAsync(ToolApprovalRequest request, CancellationToken cancellationToken);

    /// <summary>The undecided requests of every process, oldest first.</summary>
    /// <param name="sessionId">Only this session's; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A snapshot.</returns>
    ValueTask<IReadOnlyList<ToolApprovalRequest>> ListAsync(string? sessionId, CancellationToken cancellationToken);

    /// <summary>One undecided request.</summary>
    /// <param name="approvalId">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/> when it is unknown or already decided.</returns>
    ValueTask<ToolApprovalRequest?> GetAsync(string approvalId, CancellationToken cancellationToken);

    /// <summary>Records the decision on an undecided request and wakes the process waiting for it. At most one decision wins.</summary>
    /// <param name="approvalId">The request's id.</param>
    /// <param name="decision">The decision.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the request is unknown, withdrawn or already decided.</returns>
    ValueTask<bool> DecideAsync(string approvalId, ToolApprovalDecision decision, CancellationToken cancellationToken);

    /// <summary>Waits until a decision on the request is recorded, in any process.</summary>
    /// <param name="approvalId">The request's id.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The decision.</returns>
    Task<ToolApprovalDecision> WaitForDecisionAsync(string approvalId, CancellationToken cancellationToken);

    /// <summary>Removes a request that no longer waits (decided, timed out or cancelled).</summary>
    /// <param name="approvalId">The request's id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the request is gone.</returns>
    ValueTask WithdrawAsync(string approvalId, CancellationToken cancellationToken);
}
