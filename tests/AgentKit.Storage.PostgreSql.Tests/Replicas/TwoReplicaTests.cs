using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary>
/// Two AgentKit server replicas (each its own host, services and connection pool) on one PostgreSQL schema, talked to
/// over HTTP on loopback: a session created on one is served by the other, and a turn running on one makes the same
/// session busy (409) on the other until it ends, so turns are serialised and every turn sees the one before it.
/// </summary>
public sealed class TwoReplicaTests(PostgreSqlServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Configuration_SelectsThePostgreSqlStore_AndItsRunLock()
    {
        server.SkipIfUnavailable();
        await using var replica = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, PostgreSqlServerFixture.NewSchema(), "replica-config");

        Assert.IsType<PostgreSqlSessionStore>(replica.Services.GetRequiredService<ISessionStore>());
        Assert.Same(replica.Services.GetRequiredService<ISessionStore>(), replica.Services.GetRequiredService<ISessionRunLock>());
    }

    [Fact]
    public async Task Configuration_WithoutAServer_StopsStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ReplicaServer.StartAsync("Database=agentkit", "agentkit", "replica-unconfigured"));

        var failures = error is AggregateException all ? all.InnerExceptions.OfType<Microsoft.Extensions.Options.OptionsValidationException>().SelectMany(e => e.Failures) : Assert.IsType<Microsoft.Extensions.Options.OptionsValidationException>(error).Failures;
        Assert.Contains("AgentKit:Storage:PostgreSql:ConnectionString: names no Host.", failures);
    }

    [Fact]
    public async Task ConcurrentTurns_OnOneSession_FromTwoReplicas_AreSerialised()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "replica-a");
        await using var b = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "replica-b");
        var id = await a.CreateSessionAsync();

        // A turn on replica A, held inside the model call.
        a.Model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = PostAsync(a, id, "first");
        await a.Model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The same session on replica B is busy while A's turn runs, and nothing of B's request is stored.
        using (var busy = await PostAsync(b, id, "second"))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.Contains("session_busy", await busy.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal(0, b.Model.Calls);

        // Nor can B delete it under A's running turn.
        using (var delete = await b.Http.DeleteAsync(new Uri($"api/sessions/{id}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        }

        a.Model.Gate.SetResult();
        using (var done = await first)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        // Now B runs the next turn, and its model sees A's turn.
        using (var second = await PostAsync(b, id, "second"))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            using var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync(Ct));
            Assert.Equal("reply 2 to second (saw 3 messages)", body.RootElement.GetProperty("text").GetString());
        }

        Assert.Equal(
            ["first", "reply 1 to first (saw 1 messages)", "second", "reply 2 to second (saw 3 messages)"],
            await a.HistoryAsync(id));
        using (var delete = await b.Http.DeleteAsync(new Uri($"api/sessions/{id}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await a.Http.GetAsync(new Uri($"api/sessions/{id}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ManyTurns_RacingFromBothReplicas_KeepEveryAcceptedTurnWholeAndInOrder()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "replica-a2");
        await using var b = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "replica-b2");
        var id = await a.CreateSessionAsync();
        var accepted = 0;

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            using var response = await PostAsync(i % 2 == 0 ? a : b, id, $"m{i}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref accepted);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            }
        }, Ct)));

        // Each accepted turn is a user message followed by its own reply, and each reply counted every message
        // stored before it: no turn ran beside another.
        var history = await b.HistoryAsync(id);
        Assert.True(accepted >= 1);
        Assert.Equal(accepted * 2, history.Count);
        for (var turn = 0; turn < accepted; turn++)
        {
            Assert.Equal($"reply {turn + 1} to {history[2 * turn]} (saw {(2 * turn) + 1} messages)", history[(2 * turn) + 1]);
        }
    }

    private static Task<HttpResponseMessage> PostAsync(ReplicaServer replica, string id, string content) =>
        replica.Http.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content, stream = false }, Ct);
}
