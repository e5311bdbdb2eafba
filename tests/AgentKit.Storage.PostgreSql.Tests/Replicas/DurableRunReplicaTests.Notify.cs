using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AgentKit.Storage.PostgreSql.Database;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary>
/// A replica following a run another replica executes is woken by the checkpoint store's <c>NOTIFY</c>, not by its
/// poll: with the poll and the re-check set to 30 seconds, every event arrives within a few, also after the listening
/// connection was killed on the server.
/// </summary>
public sealed partial class DurableRunReplicaTests
{
    [Fact]
    public async Task AReplicaFollowingARun_IsWokenByTheNotification_WellBeforeItsPoll_AlsoAfterItsListeningConnectionIsKilled()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        var slowPoll = new Dictionary<string, string?>(Settings)
        {
            ["AgentKit:Runs:AttachPollInterval"] = "00:00:30",
            ["AgentKit:Runs:AttachRecheckInterval"] = "00:00:30",
        };
        await using var a = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "notify-a", RefundScript(), slowPoll, Tools);
        await using var b = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "notify-b", RefundScript(), slowPoll, Tools);
        var listener = b.Services.GetRequiredService<PostgreSqlDatabase>().Notifications;
        var sessionId = await a.CreateSessionAsync();

        // The turn starts on A and is held at its first model call; B follows it from the start.
        a.Model.Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onA = await EventStream.OpenAsync(a.Http, new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{sessionId}/messages") { Content = JsonContent.Create(new { content = "refund order 7", stream = true }) });
        await a.Model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await onA.WaitForAsync("run_started");
        await using var onB = await EventStream.OpenAsync(b.Http, new HttpRequestMessage(HttpMethod.Get, $"api/runs/{onA.RunId}/events"));
        await onB.WaitForAsync("run_started");
        await WaitUntilAsync(() => listener.Connects == 1);

        // A's next checkpoints reach B's client at once: the poll would take 30 s.
        var clock = Stopwatch.StartNew();
        a.Model.Gate.SetResult();
        await onB.WaitForAsync("approval_requested");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"B's stream took {clock.Elapsed} to follow A's checkpoints");

        // B's listening connection is killed on the server; it reconnects, and the rest of the run still arrives at once.
        Assert.Equal(1L, await server.ScalarAsync(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'notify-b' AND query LIKE 'LISTEN%{listener.RunsChannel}%'"));
        await WaitUntilAsync(() => listener.Connects == 2);
        var approvalId = await WaitForApprovalAsync(b, sessionId, running: null);
        clock.Restart();
        using (var approved = await b.Http.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        await Task.WhenAll(onA.Completion, onB.Completion).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"B's stream took {clock.Elapsed} to follow the rest of the run");
        Assert.Equal(Ids(onA.Snapshot()), Ids(onB.Snapshot()));
        Assert.Equal("done: refunded order 7", Text(onB.Snapshot()));
        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 seconds");
            await Task.Delay(20, Ct);
        }
    }
}
