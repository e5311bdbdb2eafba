using System.Collections.Concurrent;
using AgentKit.Abstractions.Tools;

namespace AgentKit.Agents.Tools;

/// <summary>
/// Holds tool calls waiting for approval so an HTTP host can list them and approve or deny each; a request with
/// no decision within <see cref="Timeout"/> is denied. Thread-safe.
/// </summary>
public sealed class PendingApprovals : IToolApprovalHandler
{
    private readonly ConcurrentDictionary<string, Entry> _pending = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the store.</summary>
    /// <param name="timeout">How long a request waits before it is denied. Defaults to 5 minutes.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    public PendingApprovals(TimeSpan? timeout = null, TimeProvider? timeProvider = null)
    {
        Timeout = timeout ?? TimeSpan.FromMinutes(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(timeout));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long a request waits for a decision before it is denied.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The requests waiting now, oldest first.</summary>
    /// <param name="sessionId">Only this session's requests; <see langword="null"/> for all.</param>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ToolApprovalRequest> List(string? sessionId = null) =>
        [.. _pending.Values.Select(e => e.Request).Where(r => sessionId is null || r.SessionId == sessionId).OrderBy(r => r.RequestedAt)];

    /// <summary>Approves a waiting request.</summary>
    /// <param name="approvalId">The request's <see cref="ToolApprovalRequest.ApprovalId"/>.</param>
    /// <param name="reason">An optional note.</param>
    /// <returns><see langword="false"/> when no such request is waiting (unknown, decided or timed out).</returns>
    public bool Approve(string approvalId, string? reason = null) => Resolve(approvalId, ToolApprovalDecision.Approve(reason));

    /// <summary>Denies a waiting request.</summary>
    /// <param name="approvalId">The request's <see cref="ToolApprovalRequest.ApprovalId"/>.</param>
    /// <param name="reason">Why; the model is told.</param>
    /// <returns><see langword="false"/> when no such request is waiting (unknown, decided or timed out).</returns>
    public bool Deny(string approvalId, string? reason = null) => Resolve(approvalId, ToolApprovalDecision.Deny(reason));

    /// <inheritdoc />
    public async ValueTask<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = new Entry(request);
        if (!_pending.TryAdd(request.ApprovalId, entry))
        {
            throw new InvalidOperationException($"An approval request with id '{request.ApprovalId}' is already pending.");
        }

        try
        {
            return await entry.Decision.Task.WaitAsync(Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ToolApprovalDecision.Deny($"No decision within {Timeout.TotalSeconds:0} seconds; the call was denied.");
        }
        finally
        {
            _pending.TryRemove(request.ApprovalId, out _);
        }
    }

    private bool Resolve(string approvalId, ToolApprovalDecision decision) =>
        _pending.TryGetValue(approvalId, out var entry) && entry.Decision.TrySetResult(decision);

    private sealed class Entry(ToolApprovalRequest request)
    {
        public ToolApprovalRequest Request { get; } = request;

        public TaskCompletionSource<ToolApprovalDecision> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
