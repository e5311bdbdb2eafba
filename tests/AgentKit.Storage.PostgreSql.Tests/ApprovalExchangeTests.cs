using System.Diagnostics;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using AgentKit.Storage.PostgreSql.Approvals;
using AgentKit.Storage.PostgreSql.Sessions;

namespace AgentKit.Storage.PostgreSql.Tests;

/// <summary>
/// Approvals shared by two exchanges with their own connection pools on one schema (two replicas): a request published
/// by one is listed and decided by the other, the waiter is woken by the notification, one decision wins.
/// </summary>
public sealed class ApprovalExchangeTests(PostgreSqlServerFixture server) : IAsyncLifetime
{
    private readonly string _schema = PostgreSqlServerFixture.NewSchema();
    private readonly List<IAsyncDisposable> _owned = [];
    private PostgreSqlSessionStore? _sessions;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        if (server.SkipReason is null)
        {
            _sessions = new PostgreSqlSessionStore(server.NewOptions(_schema, "approvals-sessions"));
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        if (_sessions is not null)
        {
            await _sessions.DisposeAsync();
        }
    }

    [Fact]
    public async Task ARequestPublishedByOne_IsListedAndDecidedByTheOther_AndTheWaiterWakesOnTheNotification()
    {
        server.SkipIfUnavailable();
        // Polling every minute: only the notification can wake the waiter within the assertion's bound.
        var a = Exchange("a", pollInterval: TimeSpan.FromMinutes(1));
        var b = Exchange("b");
        var request = await RequestAsync();

        await a.PublishAsync(request, Ct);
        var listed = Assert.Single(await b.ListAsync(request.SessionId, Ct));
        Assert.Equal((request.ApprovalId, "refund", "call-1"), (listed.ApprovalId, listed.ToolName, listed.CallId));
        Assert.Equal("7", listed.Arguments["order"]?.ToString());
        Assert.Equal(request.RequestedAt, listed.RequestedAt);
        Assert.Empty(await b.ListAsync("another-session", Ct));

        var waiting = a.WaitForDecisionAsync(request.ApprovalId, Ct);
        await Task.Delay(200, Ct);
        Assert.False(waiting.IsCompleted);
        var clock = Stopwatch.StartNew();
        Assert.True(await b.DecideAsync(request.ApprovalId, ToolApprovalDecision.Deny("not today"), Ct));
        var decision = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(ToolApprovalDecision.Deny("not today"), decision);

        // Decided: no longer listed, found or decidable, by either.
        Assert.Empty(await a.ListAsync(null, Ct));
        Assert.Null(await a.GetAsync(request.ApprovalId, Ct));
        Assert.False(await a.DecideAsync(request.ApprovalId, ToolApprovalDecision.Approve(), Ct));
    }

    [Fact]
    public async Task OfManyRacingDecisions_ExactlyOneWins()
    {
        server.SkipIfUnavailable();
        var a = Exchange("a");
        var b = Exchange("b");
        var request = await RequestAsync();
        await a.PublishAsync(request, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(
            async () => await (i % 2 == 0 ? a : b).DecideAsync(request.ApprovalId, new ToolApprovalDecision(i % 3 == 0, $"decider {i}"), Ct), Ct)));

        Assert.Single(results, won => won);
        var winner = Array.IndexOf(results, true);
        Assert.Equal(new ToolApprovalDecision(winner % 3 == 0, $"decider {winner}"), await b.WaitForDecisionAsync(request.ApprovalId, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task ADecisionGivenWhileNobodyWaits_IsKeptByARepublish_AndReturnedAtOnce()
    {
        server.SkipIfUnavailable();
        var a = Exchange("a", pollInterval: TimeSpan.FromMinutes(1));
        var b = Exchange("b");
        var request = await RequestAsync();

        // The replica that asked is gone; the request is still listed and answered on another.
        await a.PublishAsync(request, Ct);
        Assert.True(await b.DecideAsync(request.ApprovalId, ToolApprovalDecision.Approve("yes"), Ct));

        // The run resumes and asks again under its recorded id: the answer is there already.
        await a.PublishAsync(request with { RequestedAt = request.RequestedAt.AddMinutes(1) }, Ct);
        Assert.Equal(ToolApprovalDecision.Approve("yes"), await a.WaitForDecisionAsync(request.ApprovalId, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task WithdrawnUnknownAndDeletedSessionRequests_AreNeitherListedNorDecidable()
    {
        server.SkipIfUnavailable();
        var a = Exchange("a");
        var withdrawn = await RequestAsync();
        var ofDeletedSession = await RequestAsync();
        await a.PublishAsync(withdrawn, Ct);
        await a.PublishAsync(ofDeletedSession, Ct);

        await a.WithdrawAsync(withdrawn.ApprovalId, Ct);
        Assert.True(await _sessions!.DeleteAsync(ofDeletedSession.SessionId, Ct));

        Assert.Empty(await a.ListAsync(null, Ct));
        foreach (var id in new[] { withdrawn.ApprovalId, ofDeletedSession.ApprovalId, "never-published" })
        {
            Assert.Null(await a.GetAsync(id, Ct));
            Assert.False(await a.DecideAsync(id, ToolApprovalDecision.Approve(), Ct));
        }
    }

    [Fact]
    public async Task PendingApprovalsOnTwoReplicas_ARequestWaitingOnOneIsAnsweredOnTheOther_AndATimeoutWithdrawsIt()
    {
        server.SkipIfUnavailable();
        var onA = new PendingApprovals(TimeSpan.FromSeconds(30), null, Exchange("a"), null);
        var onB = new PendingApprovals(TimeSpan.FromSeconds(30), null, Exchange("b"), null);
        var request = await RequestAsync();

        var waiting = onA.RequestApprovalAsync(request, Ct).AsTask();
        Assert.Equal(request.ApprovalId, (await ListedAsync(onB, request.SessionId)).ApprovalId);
        Assert.Empty(onB.List());
        Assert.NotNull(await onB.GetAsync(request.ApprovalId, Ct));
        Assert.True(await onB.ApproveAsync(request.ApprovalId, "checked by B", Ct));
        Assert.False(await onA.DenyAsync(request.ApprovalId, "too late", Ct));
        Assert.Equal(ToolApprovalDecision.Approve("checked by B"), await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        // A request nobody answers is denied at the timeout and leaves the shared list.
        var quick = new PendingApprovals(TimeSpan.FromMilliseconds(300), null, Exchange("c"), null);
        var unanswered = await RequestAsync();
        var denied = await quick.RequestApprovalAsync(unanswered, Ct);
        Assert.False(denied.Approved);
        Assert.Empty(await onB.ListAsync(unanswered.SessionId, Ct));
        Assert.Null(await onB.GetAsync(unanswered.ApprovalId, Ct));
    }

    [Fact]
    public async Task ARequestListedBeforeItsRowIsPublished_IsDecidedOnceItIs_NotRefusedAsUnknown()
    {
        server.SkipIfUnavailable();
        // A resumed run asking again on B: listed by B at once (its own waiter), while the row's insert is still on its way.
        var publishing = new GatedPublishExchange(Exchange("b"));
        var onB = new PendingApprovals(TimeSpan.FromSeconds(30), null, publishing, null);
        var request = await RequestAsync();

        var waiting = onB.RequestApprovalAsync(request, Ct).AsTask();
        await publishing.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(request.ApprovalId, Assert.Single(onB.List()).ApprovalId);
        var approving = onB.ApproveAsync(request.ApprovalId, "seen in the list", Ct).AsTask();
        await Task.Delay(200, Ct);
        Assert.False(approving.IsCompleted);

        publishing.Gate.SetResult();
        Assert.True(await approving.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(ToolApprovalDecision.Approve("seen in the list"), await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Empty(await onB.ListAsync(request.SessionId, Ct));
    }

    [Fact]
    public async Task NoServerListening_IsASessionStoreException_NamingTheServer()
    {
        server.SkipIfUnavailable();
        await using var exchange = new PostgreSqlApprovalExchange(new PostgreSqlStorageOptions { ConnectionString = "Host=127.0.0.1;Port=1;Database=agentkit;Username=agentkit;Timeout=3" });
        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await exchange.ListAsync(null, Ct));
        Assert.Contains("PostgreSQL at 127.0.0.1:1/agentkit could not", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ToolApprovalRequest> ListedAsync(PendingApprovals approvals, string sessionId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var listed = await approvals.ListAsync(sessionId, Ct);
            if (listed.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(listed);
            }

            await Task.Delay(20, Ct);
        }
    }

    private PostgreSqlApprovalExchange Exchange(string name, TimeSpan? pollInterval = null)
    {
        var exchange = new PostgreSqlApprovalExchange(server.NewOptions(_schema, $"approvals-{name}")) { PollInterval = pollInterval ?? TimeSpan.FromSeconds(1) };
        _owned.Add(exchange);
        return exchange;
    }

    private async Task<ToolApprovalRequest> RequestAsync()
    {
        var session = await _sessions!.CreateAsync("helper", Ct);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new(Guid.NewGuid().ToString("N"), session.Id, "helper", "refund", "call-1", new Dictionary<string, object?> { ["order"] = 7 }, now);
    }
}

/// <summary>The real exchange, its publications held at <see cref="Gate"/>: the window of an insert on a loaded server, made wide.</summary>
internal sealed class GatedPublishExchange(IToolApprovalExchange inner) : IToolApprovalExchange
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask PublishAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Gate.Task.WaitAsync(cancellationToken);
        await inner.PublishAsync(request, cancellationToken);
    }

    public ValueTask<IReadOnlyList<ToolApprovalRequest>> ListAsync(string? sessionId, CancellationToken cancellationToken) => inner.ListAsync(sessionId, cancellationToken);

    public ValueTask<ToolApprovalRequest?> GetAsync(string approvalId, CancellationToken cancellationToken) => inner.GetAsync(approvalId, cancellationToken);

    public ValueTask<bool> DecideAsync(string approvalId, ToolApprovalDecision decision, CancellationToken cancellationToken) => inner.DecideAsync(approvalId, decision, cancellationToken);

    public Task<ToolApprovalDecision> WaitForDecisionAsync(string approvalId, CancellationToken cancellationToken) => inner.WaitForDecisionAsync(approvalId, cancellationToken);

    public ValueTask WithdrawAsync(string approvalId, CancellationToken cancellationToken) => inner.WithdrawAsync(approvalId, cancellationToken);
}
