using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Tools;

namespace AgentKit.Agents.Tests.Tools;

public sealed class PendingApprovalsTests
{
    private static ToolApprovalRequest Request(string id, string session = "s1") =>
        new(id, session, "agent", "refund", "call_" + id, new Dictionary<string, object?> { ["amount"] = 5 }, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Approve_ResolvesTheWaitingRequest_AndRemovesIt()
    {
        var store = new PendingApprovals();
        var waiting = store.RequestApprovalAsync(Request("a1"), CancellationToken.None).AsTask();

        Assert.Equal("a1", Assert.Single(store.List()).ApprovalId);
        Assert.True(store.Approve("a1", "fine"));

        var decision = await waiting;
        Assert.True(decision.Approved);
        Assert.Equal("fine", decision.Reason);
        Assert.Empty(store.List());
        Assert.False(store.Approve("a1"));
    }

    [Fact]
    public async Task AsyncDecisions_WithoutAnExchange_DecideRequestsWaitingInThisProcess()
    {
        var store = new PendingApprovals();
        var waiting = store.RequestApprovalAsync(Request("c1", "s9"), CancellationToken.None).AsTask();

        Assert.Equal("c1", Assert.Single(await store.ListAsync("s9", TestContext.Current.CancellationToken)).ApprovalId);
        Assert.Empty(await store.ListAsync("other", TestContext.Current.CancellationToken));
        Assert.Equal("s9", (await store.GetAsync("c1", TestContext.Current.CancellationToken))?.SessionId);
        Assert.Null(await store.GetAsync("unknown", TestContext.Current.CancellationToken));
        Assert.True(await store.DenyAsync("c1", "no", TestContext.Current.CancellationToken));
        Assert.False(await store.ApproveAsync("c1", null, TestContext.Current.CancellationToken));
        Assert.Equal(ToolApprovalDecision.Deny("no"), await waiting);
    }

    [Fact]
    public async Task Deny_ResolvesAsDenied()
    {
        var store = new PendingApprovals();
        var waiting = store.RequestApprovalAsync(Request("a2"), CancellationToken.None).AsTask();
        Assert.True(store.Deny("a2", "too much"));
        Assert.Equal(ToolApprovalDecision.Deny("too much"), await waiting);
    }

    [Fact]
    public async Task NoDecisionWithinTimeout_IsDenied()
    {
        var store = new PendingApprovals(TimeSpan.FromMilliseconds(50));
        var decision = await store.RequestApprovalAsync(Request("a3"), CancellationToken.None);
        Assert.False(decision.Approved);
        Assert.Contains("No decision", decision.Reason, StringComparison.Ordinal);
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task List_FiltersBySession()
    {
        var store = new PendingApprovals();
        var one = store.RequestApprovalAsync(Request("b1", "s1"), CancellationToken.None).AsTask();
        var two = store.RequestApprovalAsync(Request("b2", "s2"), CancellationToken.None).AsTask();
        Assert.Equal("b2", Assert.Single(store.List("s2")).ApprovalId);
        store.Deny("b1");
        store.Deny("b2");
        await Task.WhenAll(one, two);
    }

    [Fact]
    public async Task Cancellation_RemovesTheRequest()
    {
        var store = new PendingApprovals();
        using var cts = new CancellationTokenSource();
        var waiting = store.RequestApprovalAsync(Request("c1"), cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Empty(store.List());
    }
}
