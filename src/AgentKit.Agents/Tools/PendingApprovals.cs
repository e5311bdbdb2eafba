using System.Collections.Concurrent;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Agents.Tools;

/// <summary>
/// Holds tool calls waiting for approval so an HTTP host can list them and approve or deny each; a request with
/// no decision within <see cref="Timeout"/> is denied. With an <see cref="IToolApprovalExchange"/> (replicas on one
/// database) the requests are shared: <see cref="ListAsync"/>, <see cref="ApproveAsync"/> and <see cref="DenyAsync"/>
/// see and decide the requests of every replica. Thread-safe.
/// </summary>
public sealed partial class PendingApprovals : IToolApprovalHandler
{
    private readonly ConcurrentDictionary<string, Entry> _pending = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly IToolApprovalExchange? _exchange;
    private readonly ILogger _logger;

    /// <summary>Creates the store.</summary>
    /// <param name="timeout">How long a request waits before it is denied. Defaults to 5 minutes.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    public PendingApprovals(TimeSpan? timeout = null, TimeProvider? timeProvider = null)
        : this(timeout, timeProvider, exchange: null, logger: null)
    {
    }

    /// <summary>Creates the store, sharing its requests through <paramref name="exchange"/>.</summary>
    /// <param name="timeout">How long a request waits before it is denied. Defaults to 5 minutes.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    /// <param name="exchange">Shares requests with other processes; <see langword="null"/> keeps them in this one.</param>
    /// <param name="logger">Logs requests that could not be withdrawn from the exchange.</param>
    public PendingApprovals(TimeSpan? timeout, TimeProvider? timeProvider, IToolApprovalExchange? exchange, ILogger<PendingApprovals>? logger)
    {
        Timeout = timeout ?? TimeSpan.FromMinutes(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(timeout));
        _time = timeProvider ?? TimeProvider.System;
        _exchange = exchange;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>How long a request waits for a decision before it is denied.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The requests waiting in this process now, oldest first.</summary>
    /// <param name="sessionId">Only this session's requests; <see langword="null"/> for all.</param>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ToolApprovalRequest> List(string? sessionId = null) =>
        [.. _pending.Values.Select(e => e.Request).Where(r => sessionId is null || r.SessionId == sessionId).OrderBy(r => r.RequestedAt)];

    /// <summary>The requests waiting in this process and, with an exchange, in every other, oldest first.</summary>
    /// <param name="sessionId">Only this session's requests; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A snapshot.</returns>
    public async ValueTask<IReadOnlyList<ToolApprovalRequest>> ListAsync(string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var local = List(sessionId);
        if (_exchange is null)
        {
            return local;
        }

        var shared = await _exchange.ListAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var ids = shared.Select(r => r.ApprovalId).ToHashSet(StringComparer.Ordinal);
        return [.. shared.Concat(local.Where(r => !ids.Contains(r.ApprovalId))).OrderBy(r => r.RequestedAt)];
    }

    /// <summary>One waiting request, in this process or, with an exchange, in any.</summary>
    /// <param name="approvalId">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/> when none with that id waits.</returns>
    public async ValueTask<ToolApprovalRequest?> GetAsync(string approvalId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        if (_pending.TryGetValue(approvalId, out var entry))
        {
            return entry.Request;
        }

        return _exchange is null ? null : await _exchange.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Approves a request waiting in this process.</summary>
    /// <param name="approvalId">The request's <see cref="ToolApprovalRequest.ApprovalId"/>.</param>
    /// <param name="reason">An optional note.</param>
    /// <returns><see langword="false"/> when no such request is waiting (unknown, decided or timed out).</returns>
    public bool Approve(string approvalId, string? reason = null) => Resolve(approvalId, ToolApprovalDecision.Approve(reason));

    /// <summary>Denies a request waiting in this process.</summary>
    /// <param name="approvalId">The request's <see cref="ToolApprovalRequest.ApprovalId"/>.</param>
    /// <param name="reason">Why; the model is told.</param>
    /// <returns><see langword="false"/> when no such request is waiting (unknown, decided or timed out).</returns>
    public bool Deny(string approvalId, string? reason = null) => Resolve(approvalId, ToolApprovalDecision.Deny(reason));

    /// <summary>Approves a request waiting in any process sharing the exchange (this one only, without an exchange).</summary>
    /// <param name="approvalId">The request's id.</param>
    /// <param name="reason">An optional note.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when no such request is waiting (unknown, decided or timed out).</returns>
    public ValueTask<bool> ApproveAsync(string approvalId, string? reason = null, CancellationToken cancellationToken = default) =>
        DecideAsync(approvalId, ToolApprovalDecision.Approve(reason), cancellationToken);

    /// <summary>Denies a request waiting in any process sharing the exchange (this one only, without an exchange).</summary>
    /// <param name="approvalId">The request's id.</param>
    /// <param name="reason">Why; the model is told.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when no such request is waiting (unknown, decided or timed out).</returns>
    public ValueTask<bool> DenyAsync(string approvalId, string? reason = null, CancellationToken cancellationToken = default) =>
        DecideAsync(approvalId, ToolApprovalDecision.Deny(reason), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = new Entry(request, published: _exchange is null);
        if (!_pending.TryAdd(request.ApprovalId, entry))
        {
            throw new InvalidOperationException($"An approval request with id '{request.ApprovalId}' is already pending.");
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var decided = entry.Decision.Task;
            if (_exchange is not null)
            {
                await _exchange.PublishAsync(request, cancellationToken).ConfigureAwait(false);
                entry.MarkPublished();
                var remote = _exchange.WaitForDecisionAsync(request.ApprovalId, waiting.Token);
                decided = Task.WhenAny(decided, remote).Unwrap();
            }

            return await decided.WaitAsync(Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ToolApprovalDecision.Deny($"No decision within {Timeout.TotalSeconds:0} seconds; the call was denied.");
        }
        finally
        {
            entry.MarkUnpublished();
            _pending.TryRemove(request.ApprovalId, out _);
            await waiting.CancelAsync().ConfigureAwait(false);
            if (_exchange is not null && entry.Published is { IsCompletedSuccessfully: true })
            {
                await WithdrawAsync(request.ApprovalId).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Completes when the request is visible to every process (at once without an exchange).</summary>
    internal Task WhenPublished(string approvalId) =>
        _pending.TryGetValue(approvalId, out var entry) ? entry.Published : Task.CompletedTask;

    private async ValueTask<bool> DecideAsync(string approvalId, ToolApprovalDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        if (_exchange is null)
        {
            return Resolve(approvalId, decision);
        }

        // A request waiting here is listed from the moment it is asked, before its row reaches the exchange: a decision
        // sent in between (a client polling the list, a resumed run asking again) waits for the row instead of finding
        // nothing and answering "not pending".
        if (_pending.TryGetValue(approvalId, out var local))
        {
            await local.Published.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The exchange decides who wins; the local waiter, if any, is then woken without waiting for the notification.
        if (!await _exchange.DecideAsync(approvalId, decision, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Resolve(approvalId, decision);
        return true;
    }

    private bool Resolve(string approvalId, ToolApprovalDecision decision) =>
        _pending.TryGetValue(approvalId, out var entry) && entry.Decision.TrySetResult(decision);

    private async Task WithdrawAsync(string approvalId)
    {
        try
        {
            await _exchange!.WithdrawAsync(approvalId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The run goes on; the stale request stays listed until its session is deleted, and a decision on it is ignored.
            LogWithdrawFailed(_logger, approvalId, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The approval request {ApprovalId} could not be withdrawn from the shared exchange.")]
    private static partial void LogWithdrawFailed(ILogger logger, string approvalId, Exception exception);

    private sealed class Entry
    {
        private readonly TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Entry(ToolApprovalRequest request, bool published)
        {
            Request = request;
            if (published)
            {
                _published.SetResult();
            }
        }

        public ToolApprovalRequest Request { get; }

        public TaskCompletionSource<ToolApprovalDecision> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the request is visible to every process; cancelled when it never was (the wait ended first).</summary>
        public Task Published => _published.Task;

        public void MarkPublished() => _published.TrySetResult();

        public void MarkUnpublished() => _published.TrySetCanceled();
    }
}
