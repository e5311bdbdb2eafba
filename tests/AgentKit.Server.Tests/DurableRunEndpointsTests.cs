using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.Tests;

public sealed class DurableRunEndpointsTests : IDisposable
{
    private readonly string _storage = Directory.CreateTempSubdirectory("agentkit-durable-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checkpoints_AreListed_AndASessionForksFromOne()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();
        var id = await CreateSessionAsync(http);
        using (var posted = await http.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content = "hello agent" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        using var checkpoints = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{id}/checkpoints", UriKind.Relative), Ct));
        var list = checkpoints.RootElement.EnumerateArray().ToList();
        Assert.Equal(["ModelResponse", "Completed"], list.Select(c => c.GetProperty("kind").GetString()));
        var runId = list[0].GetProperty("runId").GetString();

        using var forked = await http.PostAsJsonAsync(new Uri($"api/sessions/{id}/fork", UriKind.Relative), new { runId, sequence = 1 }, Ct);
        Assert.Equal(HttpStatusCode.Created, forked.StatusCode);
        var forkId = JsonDocument.Parse(await forked.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetString();
        using var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{forkId}", UriKind.Relative), Ct));
        Assert.Equal(2, history.RootElement.GetProperty("messages").GetArrayLength());

        using var missing = await http.PostAsJsonAsync(new Uri($"api/sessions/{id}/fork", UriKind.Relative), new { runId, sequence = 9 }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("checkpoint_not_found", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var noRun = await http.PostAsync(new Uri("api/runs/nope/resume", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, noRun.StatusCode);
        using var noEvents = await http.GetAsync(new Uri("api/runs/nope/events", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, noEvents.StatusCode);

        // Another API key sees neither the checkpoints nor the session to fork.
        using var stranger = server.CreateHttpClient(withKey: false);
        using var hidden = await stranger.GetAsync(new Uri($"api/sessions/{id}/checkpoints", UriKind.Relative), Ct);
        Assert.NotEqual(HttpStatusCode.OK, hidden.StatusCode);
    }

    [Fact]
    public async Task UnfinishedRun_OnRequest_IsListed_Resumed_AndItsEventsReattached()
    {
        var storage = _storage;
        var settings = new Dictionary<string, string?> { ["AgentKit:Storage:Directory"] = storage, ["AgentKit:Runs:Resume"] = "OnRequest" };
        var sessionId = await CrashedRunAsync(settings, storage, "r-crashed");

        await using var server = await TestServer.StartAsync(settings);
        using var http = server.CreateHttpClient();
        using var runs = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/runs", UriKind.Relative), Ct));
        Assert.Equal("r-crashed", Assert.Single(runs.RootElement.EnumerateArray()).GetProperty("runId").GetString());

        using var resumed = await http.PostAsync(new Uri("api/runs/r-crashed/resume", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        using var events = await http.GetAsync(new Uri("api/runs/r-crashed/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        var stream = await events.Content.ReadAsStringAsync(Ct);
        Assert.Matches(@"^id: [1-9][0-9]*\nevent: run_started\n", stream);
        Assert.Contains("event: run_completed", stream, StringComparison.Ordinal);

        using var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{sessionId}", UriKind.Relative), Ct));
        var messages = history.RootElement.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(2, messages.Count);
        Assert.Contains("echo: hello after a crash", messages[1].ToString(), StringComparison.Ordinal);
        using var none = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/runs", UriKind.Relative), Ct));
        Assert.Empty(none.RootElement.EnumerateArray());
    }

    [Fact]
    public async Task UnfinishedRun_Automatic_IsResumedWhenTheServerStarts()
    {
        var storage = _storage;
        var settings = new Dictionary<string, string?> { ["AgentKit:Storage:Directory"] = storage };
        var sessionId = await CrashedRunAsync(settings, storage, "r-auto");

        await using var server = await TestServer.StartAsync(settings);
        using var http = server.CreateHttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int count;
        do
        {
            await Task.Delay(50, Ct);
            using var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{sessionId}", UriKind.Relative), Ct));
            count = history.RootElement.GetProperty("messages").GetArrayLength();
        }
        while (count < 2 && DateTime.UtcNow < deadline);

        Assert.Equal(2, count);
    }

    [Theory]
    [InlineData("MaxConcurrentResumes", "0")]
    [InlineData("SweepInterval", "00:00:00.500")]
    [InlineData("SweepInterval", "2.00:00:00")]
    public async Task RunsOptions_OutOfRange_StopStartUp_NamingTheKey(string key, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new() { ["AgentKit:Runs:" + key] = value }));
        Assert.Contains("AgentKit:Runs:" + key, error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_storage, recursive: true);
    }

    /// <summary>A session created over HTTP (so the caller owns it), then a run of it recorded as started and never finished, as a killed process leaves it.</summary>
    private static async Task<string> CrashedRunAsync(Dictionary<string, string?> settings, string storage, string runId)
    {
        string sessionId;
        await using (var first = await TestServer.StartAsync(settings))
        {
            using var http = first.CreateHttpClient();
            sessionId = await CreateSessionAsync(http);
        }

        var store = new SqliteSessionStore(Path.Combine(storage, "sessions.db"));
        await store.StartRunAsync(new RunInfo(runId, sessionId, "helper", new ChatMessage(ChatRole.User, "hello after a crash"), 0, DateTimeOffset.UtcNow), Ct);
        return sessionId;
    }

    private static async Task<string> CreateSessionAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("id").GetString()!;
    }
}
