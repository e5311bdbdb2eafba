using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;

namespace AgentKit.Sessions.Conformance;

/// <summary>
/// The behaviour every <see cref="IRunCheckpointStore"/> shares (the contract durable runs rely on): checkpoints
/// survive reopening and stay in order, a finished run takes nothing more and appends its messages once, limits and
/// unknown runs are refused by name, deleting a session deletes its runs, and several store instances on one storage
/// (as several processes) number one run's checkpoints without gaps and finish a run once. A store's test project
/// derives a class from this one and supplies <see cref="OpenStoreAsync"/>.
/// </summary>
public abstract class RunCheckpointStoreConformanceTests : IAsyncLifetime
{
    private readonly List<ISessionStore> _opened = [];

    /// <summary>Why the store cannot run here (for example, no server), or null to run the tests.</summary>
    protected virtual string? SkipReason => null;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Opens a store on this test's storage: the first call on empty storage, each later call another instance on the
    /// same storage (as another process would). The store must also be an <see cref="IRunCheckpointStore"/>.
    /// </summary>
    /// <returns>The store; disposed after the test when it is disposable.</returns>
    protected abstract ValueTask<ISessionStore> OpenStoreAsync();

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await SessionStoreConformanceTests.DisposeStoreAsync(store);
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Checkpoints_SurviveReopening_InOrder_AndCompletionAppendsTheMessagesOnce()
    {
        var (sessions, store) = await OpenAsync();
        var session = await sessions.CreateAsync("helper", Ct);
        await store.StartRunAsync(Run("r1", session.Id), Ct);
        Assert.Equal(1, await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, 1, null, null, "{}"), Ct));
        Assert.Equal(2, await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ToolCallStarted, 1, "c1", "lookup", "{\"a\":1}"), Ct));

        var (reopenedSessions, reopened) = await OpenAsync();
        var run = Assert.Single(await reopened.ListUnfinishedRunsAsync(Ct));
        Assert.Equal(("r1", session.Id, "helper", "hi", 0, RunState.Running, (string?)null), (run.RunId, run.SessionId, run.AgentName, run.Input.Text, run.HistoryCount, run.State, run.Outcome));
        var checkpoints = await reopened.LoadCheckpointsAsync("r1", Ct);
        Assert.Equal(
            [(1L, RunCheckpointKind.ModelResponse, 1, (string?)null, (string?)null), (2L, RunCheckpointKind.ToolCallStarted, 1, "c1", "lookup")],
            checkpoints.Select(c => (c.Sequence, c.Kind, c.Step, c.CallId, c.ToolName)));
        Assert.Equal("{\"a\":1}", checkpoints[1].Payload);
        Assert.All(checkpoints, c => Assert.Equal("r1", c.RunId));

        await reopened.CompleteRunAsync("r1", "Completed", [new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "hello")], Ct);
        Assert.Empty(await reopened.ListUnfinishedRunsAsync(Ct));
        Assert.Equal(["hi", "hello"], (await reopenedSessions.LoadMessagesAsync(session.Id, Ct)).Select(m => m.Text));
        var finished = (await reopened.GetRunAsync("r1", Ct))!;
        Assert.Equal(("Completed", RunState.Finished), (finished.Outcome, finished.State));
        var completed = (await reopened.LoadCheckpointsAsync("r1", Ct))[^1];
        Assert.Equal((3L, RunCheckpointKind.Completed), (completed.Sequence, completed.Kind));
        Assert.Contains("Completed", completed.Payload, StringComparison.Ordinal);

        // A finished run takes no more checkpoints and cannot be finished twice (its messages are stored once).
        await Assert.ThrowsAsync<RunCheckpointException>(async () => await reopened.CompleteRunAsync("r1", "Completed", [new ChatMessage(ChatRole.User, "again")], Ct));
        await Assert.ThrowsAsync<RunCheckpointException>(async () => await reopened.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, 2, null, null, "{}"), Ct));
        Assert.Equal(2, (await sessions.LoadMessagesAsync(session.Id, Ct)).Count);
        Assert.Equal(3, (await store.LoadCheckpointsAsync("r1", Ct)).Count);
    }

    [Fact]
    public async Task LoadCheckpoints_AfterASequence_ReturnsAtMostTheLimit_InOrder()
    {
        var (sessions, store) = await OpenAsync();
        var session = await sessions.CreateAsync("helper", Ct);
        await store.StartRunAsync(Run("r1", session.Id), Ct);
        for (var step = 1; step <= 5; step++)
        {
            await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, step, null, null, "{}"), Ct);
        }

        Assert.Equal([3L, 4L], (await store.LoadCheckpointsAsync("r1", 2, 2, Ct)).Select(c => c.Sequence));
        Assert.Equal([5L], (await store.LoadCheckpointsAsync("r1", 4, 100, Ct)).Select(c => c.Sequence));
        Assert.Empty(await store.LoadCheckpointsAsync("r1", 5, 100, Ct));
        Assert.Empty(await store.LoadCheckpointsAsync("ghost", 0, 100, Ct));
        Assert.Equal([1, 2, 3, 4, 5], (await store.LoadCheckpointsAsync("r1", 0, 100, Ct)).Select(c => c.Step));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.LoadCheckpointsAsync("r1", 0, 0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.LoadCheckpointsAsync("r1", -1, 10, Ct));
    }

    [Fact]
    public async Task Append_ToAnUnknownRun_OrOverThePayloadLimit_ThrowsNamingIt()
    {
        var (sessions, store) = await OpenAsync();
        var session = await sessions.CreateAsync("helper", Ct);
        var unknown = await Assert.ThrowsAsync<RunCheckpointException>(async () => await store.AppendAsync("ghost", new RunCheckpointData(RunCheckpointKind.ModelResponse, 1, null, null, "{}"), Ct));
        Assert.Contains("ghost", unknown.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RunCheckpointException>(async () => await store.CompleteRunAsync("ghost", "Completed", [], Ct));

        await store.StartRunAsync(Run("r1", session.Id), Ct);
        var big = new string('x', RunCheckpointData.MaxPayloadLength + 1);
        var tooLong = await Assert.ThrowsAsync<RunCheckpointException>(async () => await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ToolCallCompleted, 1, "c1", "t", big), Ct));
        Assert.Contains("MaxPayloadLength", tooLong.Message, StringComparison.Ordinal);
        Assert.Empty(await store.LoadCheckpointsAsync("r1", Ct));
        Assert.Empty(await store.LoadCheckpointsAsync("ghost", Ct));
        Assert.Null(await store.GetRunAsync("ghost", Ct));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await store.StartRunAsync(Run("r2", "no-session"), Ct));
        Assert.Null(await store.GetRunAsync("r2", Ct));
    }

    [Fact]
    public async Task Runs_AreListedPerSession_OldestFirst_AndFinishedOnesAreNotUnfinished()
    {
        var (sessions, store) = await OpenAsync();
        var first = await sessions.CreateAsync("helper", Ct);
        var second = await sessions.CreateAsync("helper", Ct);
        var t0 = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        await store.StartRunAsync(Run("late", first.Id, t0.AddMinutes(2)), Ct);
        await store.StartRunAsync(Run("early", first.Id, t0), Ct);
        await store.StartRunAsync(Run("other", second.Id, t0.AddMinutes(1), historyCount: 4), Ct);
        await store.CompleteRunAsync("early", "Completed", [new ChatMessage(ChatRole.User, "hi")], Ct);

        Assert.Equal(["early", "late"], (await store.ListRunsAsync(first.Id, Ct)).Select(r => r.RunId));
        Assert.Equal(["other", "late"], (await store.ListUnfinishedRunsAsync(Ct)).Select(r => r.RunId));
        var other = (await store.GetRunAsync("other", Ct))!;
        Assert.Equal((4, t0.AddMinutes(1)), (other.HistoryCount, other.StartedAt));
        Assert.Empty(await store.ListRunsAsync("no-session", Ct));
    }

    [Fact]
    public async Task DeletingASession_DeletesItsRunsAndCheckpoints()
    {
        var (sessions, store) = await OpenAsync();
        var session = await sessions.CreateAsync("helper", Ct);
        await store.StartRunAsync(Run("r1", session.Id), Ct);
        await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, 1, null, null, "{}"), Ct);

        Assert.True(await sessions.DeleteAsync(session.Id, Ct));

        Assert.Empty(await store.ListUnfinishedRunsAsync(Ct));
        Assert.Empty(await store.LoadCheckpointsAsync("r1", Ct));
        Assert.Null(await store.GetRunAsync("r1", Ct));
    }

    [Fact]
    public async Task ConcurrentAppends_FromTwoStoreInstances_NumberTheRunWithoutGaps()
    {
        var (sessions, a) = await OpenAsync();
        var (_, b) = await OpenAsync();
        var session = await sessions.CreateAsync("helper", Ct);
        await a.StartRunAsync(Run("r1", session.Id), Ct);
        const int PerStore = 25;

        var sequences = await Task.WhenAll(Enumerable.Range(0, 2 * PerStore).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? a : b).AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ToolCallCompleted, 1, $"c{i}", "t", $"{{\"i\":{i}}}"), Ct), Ct)));

        Assert.Equal(Enumerable.Range(1, 2 * PerStore).Select(i => (long)i), sequences.Order());
        var stored = await b.LoadCheckpointsAsync("r1", Ct);
        Assert.Equal(Enumerable.Range(1, 2 * PerStore).Select(i => (long)i), stored.Select(c => c.Sequence));
        Assert.All(stored, c => Assert.Equal($"{{\"i\":{c.CallId![1..]}}}", c.Payload));
        Assert.Equal(sequences.Zip(Enumerable.Range(0, 2 * PerStore)).OrderBy(p => p.First).Select(p => $"c{p.Second}"), stored.Select(c => c.CallId));
    }

    [Fact]
    public async Task ConcurrentCompletions_FromTwoStoreInstances_FinishTheRunOnce()
    {
        var (sessions, a) = await OpenAsync();
        var (_, b) = await OpenAsync();
        var session = await sessions.CreateAsync("helper", Ct);
        await sessions.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, "before")], Ct);
        await a.StartRunAsync(Run("r1", session.Id, historyCount: 1), Ct);

        var attempts = await Task.WhenAll(new[] { a, b }.Select((store, i) => Task.Run(async () =>
        {
            try
            {
                await store.CompleteRunAsync("r1", "Completed", [new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, $"from {i}")], Ct);
                return true;
            }
            catch (RunCheckpointException)
            {
                return false;
            }
        }, Ct)));

        Assert.Single(attempts, won => won);
        var history = await sessions.LoadMessagesAsync(session.Id, Ct);
        Assert.Equal(3, history.Count);
        Assert.Equal(["before", "hi"], history.Take(2).Select(m => m.Text));
        Assert.Single(await b.LoadCheckpointsAsync("r1", Ct), c => c.Kind == RunCheckpointKind.Completed);
    }

    /// <summary>A run of <paramref name="sessionId"/> whose input is "hi".</summary>
    protected static RunInfo Run(string runId, string sessionId, DateTimeOffset? startedAt = null, int historyCount = 0) =>
        new(runId, sessionId, "helper", new ChatMessage(ChatRole.User, "hi"), historyCount, startedAt ?? DateTimeOffset.UtcNow);

    private async Task<(ISessionStore Sessions, IRunCheckpointStore Checkpoints)> OpenAsync()
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        var store = await OpenStoreAsync();
        _opened.Add(store);
        return (store, Assert.IsAssignableFrom<IRunCheckpointStore>(store));
    }
}
