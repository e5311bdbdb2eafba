using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Checkpoints;

public sealed class SqliteRunCheckpointStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checkpoints_SurviveReopening_InOrder_AndCompletionAppendsTheMessagesOnce()
    {
        var path = TempFiles.NewDatabasePath();
        var store = new SqliteSessionStore(path);
        var session = await store.CreateAsync("helper", Ct);
        await store.StartRunAsync(new RunInfo("r1", session.Id, "helper", new ChatMessage(ChatRole.User, "hi"), 0, DateTimeOffset.UtcNow), Ct);
        Assert.Equal(1, await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, 1, null, null, "{}"), Ct));
        Assert.Equal(2, await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ToolCallStarted, 1, "c1", "lookup", "{\"a\":1}"), Ct));

        var reopened = new SqliteSessionStore(path);
        var run = Assert.Single(await reopened.ListUnfinishedRunsAsync(Ct));
        Assert.Equal(("r1", session.Id, "hi", RunState.Running), (run.RunId, run.SessionId, run.Input.Text, run.State));
        var checkpoints = await reopened.LoadCheckpointsAsync("r1", Ct);
        Assert.Equal([(1L, RunCheckpointKind.ModelResponse, (string?)null), (2L, RunCheckpointKind.ToolCallStarted, "c1")], checkpoints.Select(c => (c.Sequence, c.Kind, c.CallId)));
        Assert.Equal("{\"a\":1}", checkpoints[1].Payload);

        await reopened.CompleteRunAsync("r1", "Completed", [new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "hello")], Ct);
        Assert.Empty(await reopened.ListUnfinishedRunsAsync(Ct));
        Assert.Equal(["hi", "hello"], (await reopened.LoadMessagesAsync(session.Id, Ct)).Select(m => m.Text));
        Assert.Equal(("Completed", RunState.Finished), ((await reopened.GetRunAsync("r1", Ct))!.Outcome, (await reopened.GetRunAsync("r1", Ct))!.State));

        // A finished run takes no more checkpoints and cannot be finished twice (its messages are stored once).
        await Assert.ThrowsAsync<RunCheckpointException>(async () => await reopened.CompleteRunAsync("r1", "Completed", [new ChatMessage(ChatRole.User, "again")], Ct));
        await Assert.ThrowsAsync<RunCheckpointException>(async () => await reopened.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, 2, null, null, "{}"), Ct));
        Assert.Equal(2, (await reopened.LoadMessagesAsync(session.Id, Ct)).Count);
    }

    [Fact]
    public async Task Append_ToAnUnknownRun_OrOverThePayloadLimit_ThrowsNamingIt()
    {
        var store = new SqliteSessionStore(TempFiles.NewDatabasePath());
        var session = await store.CreateAsync("helper", Ct);
        var unknown = await Assert.ThrowsAsync<RunCheckpointException>(async () => await store.AppendAsync("ghost", new RunCheckpointData(RunCheckpointKind.ModelResponse, 1, null, null, "{}"), Ct));
        Assert.Contains("ghost", unknown.Message, StringComparison.Ordinal);

        await store.StartRunAsync(new RunInfo("r1", session.Id, "helper", new ChatMessage(ChatRole.User, "hi"), 0, DateTimeOffset.UtcNow), Ct);
        var big = new string('x', RunCheckpointData.MaxPayloadLength + 1);
        var tooLong = await Assert.ThrowsAsync<RunCheckpointException>(async () => await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ToolCallCompleted, 1, "c1", "t", big), Ct));
        Assert.Contains("MaxPayloadLength", tooLong.Message, StringComparison.Ordinal);
        Assert.Empty(await store.LoadCheckpointsAsync("r1", Ct));
        await Assert.ThrowsAsync<SessionNotFoundException>(async () => await store.StartRunAsync(new RunInfo("r2", "no-session", "helper", new ChatMessage(ChatRole.User, "hi"), 0, DateTimeOffset.UtcNow), Ct));
    }

    [Fact]
    public async Task DeletingASession_DeletesItsRunsAndCheckpoints()
    {
        var store = new SqliteSessionStore(TempFiles.NewDatabasePath());
        var session = await store.CreateAsync("helper", Ct);
        await store.StartRunAsync(new RunInfo("r1", session.Id, "helper", new ChatMessage(ChatRole.User, "hi"), 0, DateTimeOffset.UtcNow), Ct);
        await store.AppendAsync("r1", new RunCheckpointData(RunCheckpointKind.ModelResponse, 1, null, null, "{}"), Ct);

        Assert.True(await store.DeleteAsync(session.Id, Ct));

        Assert.Empty(await store.ListUnfinishedRunsAsync(Ct));
        Assert.Empty(await store.LoadCheckpointsAsync("r1", Ct));
        Assert.Null(await store.GetRunAsync("r1", Ct));
    }
}
