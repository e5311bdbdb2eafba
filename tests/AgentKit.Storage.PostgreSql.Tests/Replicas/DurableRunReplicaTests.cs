using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary>
/// Durable runs across two AgentKit server replicas on one PostgreSQL schema, over HTTP on loopback: a run that
/// replica A leaves unfinished (stopped mid-turn, waiting for an approval) is resumed by replica B, the approval asked
/// on A is answered on B under the same id, and no tool runs twice (the tools count their own executions); a replica
/// that starts with automatic resume picks such a run up by itself, and a running replica's sweep picks it up when
/// its replica goes away (never while that replica lives); an approval waiting on A is answered on B.
/// </summary>
public sealed partial class DurableRunReplicaTests(PostgreSqlServerFixture server)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["AgentKit:Agents:helper:Tools:0"] = "lookup",
        ["AgentKit:Agents:helper:Tools:1"] = "refund",
        ["AgentKit:Runs:Resume"] = "OnRequest",
    };

    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARunLeftUnfinishedOnReplicaA_IsResumedOnReplicaB_ItsApprovalAnsweredThere_AndNoToolRunsTwice()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = await StartAsync(schema, "durable-a");
        await using var b = await StartAsync(schema, "durable-b");
        var sessionId = await a.CreateSessionAsync();

        // On A: the model looks the order up (runs), then asks for a refund, which waits for a person.
        var turn = a.Http.PostAsJsonAsync(new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative), new { content = "refund order 7", stream = false }, Ct);
        var approvalId = await WaitForApprovalAsync(a, sessionId, turn);
        Assert.Equal((1, 0), (Executions("lookup"), Executions("refund")));

        // B sees the run as unfinished but cannot resume it while A executes it.
        var runId = await UnfinishedRunAsync(b, sessionId);
        using (var busy = await b.Http.PostAsync(new Uri($"api/runs/{runId}/resume", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.Contains("run_resuming", await busy.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // A stops without finishing the turn: its client gets no answer, the session no messages of the run.
        await a.StopAsync(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<Exception>(async () => (await turn).EnsureSuccessStatusCode());
        Assert.Empty(await b.HistoryAsync(sessionId));

        // B resumes it: the recorded model steps and the lookup's result are replayed, and the approval is asked again
        // under the id A's client holds, then answered on B.
        using (var resumed = await ResumeWhenFreeAsync(b, runId))
        {
            Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        }

        Assert.Equal(approvalId, await WaitForApprovalAsync(b, sessionId, running: null));
        using (var approved = await b.Http.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        var events = await b.Http.GetStringAsync(new Uri($"api/runs/{runId}/events", UriKind.Relative), Ct);
        Assert.Contains("event: run_completed", events, StringComparison.Ordinal);

        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
        Assert.Equal((2, 1), (a.Model.Calls, b.Model.Calls));
        var history = await b.HistoryAsync(sessionId);
        Assert.Equal("refund order 7", history[0]);
        Assert.Equal("done: refunded order 7", history[^1]);
        using var checkpoints = JsonDocument.Parse(await b.Http.GetStringAsync(new Uri($"api/sessions/{sessionId}/checkpoints", UriKind.Relative), Ct));
        var started = checkpoints.RootElement.EnumerateArray().Where(c => c.GetProperty("kind").GetString() == nameof(RunCheckpointKind.ToolCallStarted)).Select(c => c.GetProperty("tool").GetString());
        Assert.Equal(["lookup", "refund"], started);
        Assert.Equal(nameof(RunCheckpointKind.Completed), checkpoints.RootElement.EnumerateArray().Last().GetProperty("kind").GetString());
        using var none = JsonDocument.Parse(await b.Http.GetStringAsync(new Uri("api/runs", UriKind.Relative), Ct));
        Assert.Empty(none.RootElement.EnumerateArray());
    }

    [Fact]
    public async Task AnApprovalWaitingOnReplicaA_IsListedAndAnsweredOnReplicaB_AndTheTurnFinishesOnA()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = await StartAsync(schema, "approve-a");
        await using var b = await StartAsync(schema, "approve-b");
        var sessionId = await a.CreateSessionAsync();

        var turn = a.Http.PostAsJsonAsync(new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative), new { content = "refund order 7", stream = false }, Ct);
        var approvalId = await WaitForApprovalAsync(a, sessionId, turn);
        Assert.Equal(approvalId, await WaitForApprovalAsync(b, sessionId, turn));
        using (var approved = await b.Http.PostAsJsonAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), new { reason = "checked on B" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        // Decided once: a second answer, on either replica, finds nothing pending.
        using (var again = await a.Http.PostAsync(new Uri($"api/approvals/{approvalId}/deny", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using var response = await turn;
        response.EnsureSuccessStatusCode();
        Assert.Contains("done: refunded order 7", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
        Assert.Equal((3, 0), (a.Model.Calls, b.Model.Calls));
        foreach (var replica in new[] { a, b })
        {
            Assert.Equal("[]", await replica.Http.GetStringAsync(new Uri($"api/approvals?session={sessionId}", UriKind.Relative), Ct));
        }
    }

    [Fact]
    public async Task AResumeOnTwoReplicasAtOnce_RunsOnOne_AndTheOtherIsRefused()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        string runId;
        string sessionId;
        await using (var a = await StartAsync(schema, "durable-a2"))
        {
            sessionId = await a.CreateSessionAsync();
            var turn = a.Http.PostAsJsonAsync(new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative), new { content = "refund order 7", stream = false }, Ct);
            await WaitForApprovalAsync(a, sessionId, turn);
            runId = await UnfinishedRunAsync(a, sessionId);
            await a.StopAsync(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<Exception>(async () => (await turn).EnsureSuccessStatusCode());
        }

        await using var b = await StartAsync(schema, "durable-b2");
        await using var c = await StartAsync(schema, "durable-c2");
        var answers = await Task.WhenAll(new[] { b, c }.Select(replica => Task.Run(async () =>
        {
            using var response = await replica.Http.PostAsync(new Uri($"api/runs/{runId}/resume", UriKind.Relative), null, Ct);
            return response.StatusCode;
        }, Ct)));

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], answers.Order());
        var runner = answers[0] == HttpStatusCode.Accepted ? b : c;
        var approvalId = await WaitForApprovalAsync(runner, sessionId, running: null);
        using (var denied = await runner.Http.PostAsJsonAsync(new Uri($"api/approvals/{approvalId}/deny", UriKind.Relative), new { reason = "not today" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, denied.StatusCode);
        }

        Assert.Contains("event: run_completed", await runner.Http.GetStringAsync(new Uri($"api/runs/{runId}/events", UriKind.Relative), Ct), StringComparison.Ordinal);
        Assert.Equal((1, 0), (Executions("lookup"), Executions("refund")));
        Assert.Equal(0, (runner == b ? c : b).Model.Calls);
    }

    [Fact]
    public async Task AReplicaStartingWithAutomaticResume_ResumesARunAnotherLeftUnfinished()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        string approvalId;
        string sessionId;
        await using (var a = await StartAsync(schema, "durable-a3"))
        {
            sessionId = await a.CreateSessionAsync();
            var turn = a.Http.PostAsJsonAsync(new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative), new { content = "refund order 7", stream = false }, Ct);
            approvalId = await WaitForApprovalAsync(a, sessionId, turn);
            await a.StopAsync(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<Exception>(async () => (await turn).EnsureSuccessStatusCode());
        }

        await using var b = await StartAsync(schema, "durable-b3", automatic: true);
        Assert.Equal(approvalId, await WaitForApprovalAsync(b, sessionId, running: null));
        using (var approved = await b.Http.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        Assert.Equal("done: refunded order 7", (await HistoryWhenFinishedAsync(b, sessionId))[^1]);
        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
        Assert.Equal(1, b.Model.Calls);
    }

    [Fact]
    public async Task ARunWhoseReplicaGoesAway_IsResumedByAnotherReplicasSweep_AndALiveReplicasRunIsLeftAlone()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        var sweeping = new Dictionary<string, string?>(Settings) { ["AgentKit:Runs:Resume"] = "Automatic", ["AgentKit:Runs:SweepInterval"] = "00:00:01" };
        await using var b = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "sweep-b", RefundScript(), sweeping, Tools);
        string sessionId;
        string approvalId;
        await using (var a = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "sweep-a", RefundScript(), sweeping, Tools))
        {
            sessionId = await a.CreateSessionAsync();
            var turn = a.Http.PostAsJsonAsync(new Uri($"api/sessions/{sessionId}/messages", UriKind.Relative), new { content = "refund order 7", stream = false }, Ct);
            approvalId = await WaitForApprovalAsync(a, sessionId, turn);

            // Three sweeps on each replica while A waits for the person: A's run is neither taken by B nor restarted by A.
            await Task.Delay(TimeSpan.FromSeconds(3.2), Ct);
            Assert.Equal((2, 0), (a.Model.Calls, b.Model.Calls));
            Assert.False(turn.IsCompleted);

            // A goes away mid-turn; its session lock is freed with its connections, and B's next sweep resumes the run.
            await a.StopAsync(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<Exception>(async () => (await turn).EnsureSuccessStatusCode());
        }

        Assert.Equal(approvalId, await WaitForApprovalAsync(b, sessionId, running: null));
        using (var approved = await b.Http.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        Assert.Equal("done: refunded order 7", (await HistoryWhenFinishedAsync(b, sessionId))[^1]);
        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
        Assert.Equal(1, b.Model.Calls);
    }

    /// <summary>Looks order 7 up, then asks to refund it (a tool that needs approval), then reports the refund's result.</summary>
    private static ScriptedChatClient RefundScript() => new((messages, _) =>
    {
        var result = messages[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault();
        return result switch
        {
            null => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-lookup", "lookup", new Dictionary<string, object?> { ["order"] = 7 })])),
            { CallId: "call-lookup" } => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-refund", "refund", new Dictionary<string, object?> { ["order"] = 7 })])),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"done: {result.Result}")),
        };
    });

    private Task<ReplicaServer> StartAsync(string schema, string name, bool automatic = false) => ReplicaServer.StartAsync(
        server.Cluster.ConnectionString, schema, name, RefundScript(), automatic ? new Dictionary<string, string?>(Settings) { ["AgentKit:Runs:Resume"] = "Automatic" } : Settings, Tools);

    private void Tools(IServiceCollection services) => services.AddAgentKitTools(
        AIFunctionFactory.Create((int order) => { Count("lookup"); return $"order {order} was paid"; }, "lookup"),
        new ApprovalRequiredAIFunction(AIFunctionFactory.Create((int order) => { Count("refund"); return $"refunded order {order}"; }, "refund")));

    private void Count(string tool) => _executions.AddOrUpdate(tool, 1, (_, n) => n + 1);

    private int Executions(string tool) => _executions.GetValueOrDefault(tool);

    private static async Task<List<string>> HistoryWhenFinishedAsync(ReplicaServer replica, string sessionId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> history;
        do
        {
            await Task.Delay(50, Ct);
            history = await replica.HistoryAsync(sessionId);
        }
        while (history.Count == 0 && DateTime.UtcNow < deadline);

        return history;
    }

    private static async Task<string> WaitForApprovalAsync(ReplicaServer replica, string sessionId, Task<HttpResponseMessage>? running)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var list = JsonDocument.Parse(await replica.Http.GetStringAsync(new Uri($"api/approvals?session={sessionId}", UriKind.Relative), Ct));
            if (list.RootElement.GetArrayLength() > 0)
            {
                Assert.Equal("refund", list.RootElement[0].GetProperty("toolName").GetString());
                return list.RootElement[0].GetProperty("approvalId").GetString()!;
            }

            Assert.False(running is { IsCompleted: true }, "the turn finished without asking for approval");
            await Task.Delay(20, Ct);
        }

        throw new TimeoutException("No approval was asked for within 30 seconds.");
    }

    private static async Task<string> UnfinishedRunAsync(ReplicaServer replica, string sessionId)
    {
        using var runs = JsonDocument.Parse(await replica.Http.GetStringAsync(new Uri("api/runs", UriKind.Relative), Ct));
        var run = Assert.Single(runs.RootElement.EnumerateArray());
        Assert.Equal(sessionId, run.GetProperty("sessionId").GetString());
        return run.GetProperty("runId").GetString()!;
    }

    /// <summary>Resumes once the stopped replica's turn has let go of the session (its run lock ends with its run or its connection).</summary>
    private static async Task<HttpResponseMessage> ResumeWhenFreeAsync(ReplicaServer replica, string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await replica.Http.PostAsync(new Uri($"api/runs/{runId}/resume", UriKind.Relative), null, Ct);
            if (response.StatusCode != HttpStatusCode.Conflict || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50, Ct);
        }
    }

}
