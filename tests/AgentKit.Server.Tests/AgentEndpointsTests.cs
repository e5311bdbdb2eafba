using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Agents;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace AgentKit.Server.Tests;

public sealed class AgentEndpointsTests
{
    private static readonly Uri Sessions = new("api/sessions", UriKind.Relative);

    private static async Task<string> CreateSessionAsync(HttpClient http, string agent = "helper")
    {
        using var response = await http.PostAsJsonAsync(Sessions, new { agent }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<List<(string Type, JsonElement Data)>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<(string, JsonElement)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        string? type = null;
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((type!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
            }
        }

        return events;
    }

    [Fact]
    public async Task Agents_AreListed_AndOfferedAsModels()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;

        using var agents = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/agents", UriKind.Relative), ct));
        var helper = Assert.Single(agents.RootElement.EnumerateArray());
        Assert.Equal("helper", helper.GetProperty("name").GetString());
        Assert.Empty(helper.GetProperty("tools").EnumerateArray());

        using var models = JsonDocument.Parse(await http.GetStringAsync(new Uri("v1/models", UriKind.Relative), ct));
        Assert.Contains(models.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "helper" && m.GetProperty("owned_by").GetString() == "agentkit-agent");
    }

    [Fact]
    public async Task Session_Lifecycle_CreatePostHistoryDelete()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var id = await CreateSessionAsync(http);

        using var posted = await http.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content = "hello agent" }, ct);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using var result = JsonDocument.Parse(await posted.Content.ReadAsStringAsync(ct));
        Assert.Equal("Completed", result.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("echo: hello agent", result.RootElement.GetProperty("text").GetString());

        // The system prompt is the agent's instructions, not something the caller sent.
        var (messages, _) = Assert.Single(server.Model.Requests);
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.StartsWith("You are a helpful test agent.", messages[0].Text, StringComparison.Ordinal);

        using var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct));
        Assert.Equal(2, history.RootElement.GetProperty("messages").GetArrayLength());

        using var listed = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/sessions?agent=helper", UriKind.Relative), ct));
        Assert.Contains(listed.RootElement.EnumerateArray(), s => s.GetProperty("id").GetString() == id);

        using (var deleted = await http.DeleteAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await http.GetAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PostMessage_Streaming_SendsRunEventsAsServerSentEvents()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();
        var id = await CreateSessionAsync(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/sessions/{id}/messages", UriKind.Relative)) { Content = JsonContent.Create(new { content = "stream these words" }) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ReadEventsAsync(response);
        Assert.Equal("run_started", events[0].Type);
        Assert.Equal("run_completed", events[^1].Type);
        Assert.Equal("echo: stream these words", string.Concat(events.Where(e => e.Type == "text_delta").Select(e => e.Data.GetProperty("text").GetString())));
        Assert.Contains(events, e => e.Type == "step_completed");
        // Increasing ids (a checkpointed run's are positions derived from its checkpoints; docs/agents.md), one per event.
        var ids = events.Select(e => e.Data.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task ToolNeedingApproval_WaitsForTheHost_ThenRuns()
    {
        var refunds = new List<string>();
        var refund = new ApprovalRequiredAIFunction(AIFunctionFactory.Create((string text) => { refunds.Add(text); return $"refunded {text}"; }, "refund"));
        await using var server = await TestServer.StartAsync(new() { ["AgentKit:Agents:helper:Tools:0"] = "refund" }, s => s.AddAgentKitTools(refund));
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var id = await CreateSessionAsync(http);

        var run = http.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content = "order 7" }, ct);
        JsonElement pending;
        while (true)
        {
            using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/approvals?session={id}", UriKind.Relative), ct));
            if (list.RootElement.GetArrayLength() > 0)
            {
                pending = list.RootElement[0].Clone();
                break;
            }

            Assert.False(run.IsCompleted, "the run finished without asking for approval");
            await Task.Delay(20, ct);
        }

        Assert.Equal("refund", pending.GetProperty("toolName").GetString());
        Assert.Empty(refunds);
        using (var approved = await http.PostAsync(new Uri($"api/approvals/{pending.GetProperty("approvalId").GetString()}/approve", UriKind.Relative), null, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        using var response = await run;
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("tool said refunded order 7", result.RootElement.GetProperty("text").GetString());
        Assert.Equal(["order 7"], refunds);

        using var again = await http.PostAsync(new Uri($"api/approvals/{pending.GetProperty("approvalId").GetString()}/deny", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task SecondMessageWhileRunning_Gets409()
    {
        await using var server = await TestServer.StartAsync();
        server.Model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var id = await CreateSessionAsync(http);
        var uri = new Uri($"api/sessions/{id}/messages", UriKind.Relative);

        var first = http.PostAsJsonAsync(uri, new { content = "one" }, ct);
        while (server.Model.Requests.Count == 0)
        {
            if (first.IsCompleted)
            {
                using var early = await first;
                Assert.Fail($"the first run ended early: {early.StatusCode} {await early.Content.ReadAsStringAsync(ct)}");
            }

            await Task.Delay(10, ct);
        }

        using var second = await http.PostAsJsonAsync(uri, new { content = "two" }, ct);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);

        server.Model.Gate.SetResult();
        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
    }

    [Theory]
    [InlineData("""{"agent":"ghost"}""", 404, "agent_not_found")]
    [InlineData("""{}""", 400, "invalid_request")]
    [InlineData("""{"agent":""", 400, "invalid_json")]
    public async Task CreateSession_BadInput_GetsProblem(string body, int status, string code)
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();

        using var response = await http.PostAsync(Sessions, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(code, problem.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task OfficialClient_TalksToAnAgent_OneOffAndInAStoredSession()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var options = new OpenAIClientOptions { Endpoint = server.OpenAIEndpoint };
        var chat = new ChatClient("helper", new ApiKeyCredential(TestServer.ApiKey), options);

        ChatCompletion oneOff = await chat.CompleteChatAsync([new UserChatMessage("first"), new AssistantChatMessage("ok"), new UserChatMessage("second")], cancellationToken: ct);
        Assert.Equal("echo: second", oneOff.Content[0].Text);
        Assert.Equal(4, server.Model.Requests[0].Messages.Count);
        using (var none = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/sessions", UriKind.Relative), ct)))
        {
            Assert.Equal(0, none.RootElement.GetArrayLength());
        }

        var id = await CreateSessionAsync(http);
        var withSession = new ChatClient("helper", new ApiKeyCredential(TestServer.ApiKey), new OpenAIClientOptions { Endpoint = server.OpenAIEndpoint });
        var requestOptions = new RequestOptions { CancellationToken = ct };
        requestOptions.AddHeader("X-AgentKit-Session", id);
        for (var turn = 1; turn <= 2; turn++)
        {
            var body = BinaryContent.Create(BinaryData.FromObjectAsJson(new { model = "helper", messages = new[] { new { role = "user", content = $"turn {turn}" } } }));
            var raw = await withSession.CompleteChatAsync(body, requestOptions);
            Assert.Equal(200, raw.GetRawResponse().Status);
        }

        using var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct));
        Assert.Equal(4, history.RootElement.GetProperty("messages").GetArrayLength());
    }
}
