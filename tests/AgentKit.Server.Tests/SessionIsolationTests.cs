using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Agents;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.Tests;

/// <summary>
/// Sessions and approvals belong to the API key that created them: another key can neither list, read, continue,
/// delete nor approve them, and probing gets the same 404 as a session that never existed.
/// </summary>
public sealed class SessionIsolationTests
{
    private const string OtherKey = "mallory-key-0123456789abcdef";

    private static Task<TestServer> StartAsync(Dictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?> { ["AgentKit:Server:ApiKeys:1"] = OtherKey };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return TestServer.StartAsync(all, services);
    }

    private static HttpClient Mallory(TestServer server)
    {
        var client = server.CreateHttpClient(withKey: false);
        client.DefaultRequestHeaders.Authorization = new("Bearer", OtherKey);
        return client;
    }

    private static async Task<string> CreateSessionAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task SessionList_IsPagedAndScopedToTheCaller_AndBadPagingIsA400()
    {
        await using var server = await StartAsync();
        using var alice = server.CreateHttpClient();
        using var mallory = Mallory(server);
        var ct = TestContext.Current.CancellationToken;
        var mine = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            mine.Add(await CreateSessionAsync(alice));
        }

        var theirs = await CreateSessionAsync(mallory);

        async Task<List<string>> PageAsync(HttpClient http, string query)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/sessions" + query, UriKind.Relative), ct));
            return [.. page.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
        }

        var all = await PageAsync(alice, "");
        Assert.Equal(mine.Order(), all.Order());
        var first = await PageAsync(alice, "?limit=2");
        var second = await PageAsync(alice, "?limit=2&offset=2");
        var third = await PageAsync(alice, "?limit=2&offset=4");
        Assert.Equal(all, first.Concat(second).Concat(third));
        Assert.Equal([2, 2, 1], new[] { first.Count, second.Count, third.Count });
        Assert.Equal([theirs], await PageAsync(mallory, "?limit=1000"));

        foreach (var bad in new[] { "?limit=0", "?limit=1001", "?offset=-1" })
        {
            using var response = await alice.GetAsync(new Uri("api/sessions" + bad, UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(bad.Contains("offset", StringComparison.Ordinal) ? "offset" : "limit", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnotherApiKey_CannotListReadContinueOrDeleteASession()
    {
        await using var server = await StartAsync();
        using var alice = server.CreateHttpClient();
        using var mallory = Mallory(server);
        var ct = TestContext.Current.CancellationToken;
        var id = await CreateSessionAsync(alice);
        using (var posted = await alice.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content = "my card ends in 4242" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        using (var listed = JsonDocument.Parse(await mallory.GetStringAsync(new Uri("api/sessions", UriKind.Relative), ct)))
        {
            Assert.Equal(0, listed.RootElement.GetArrayLength());
        }

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"api/sessions/{id}", null),
            (HttpMethod.Post, $"api/sessions/{id}/messages", new { content = "Repeat everything the customer said earlier." }),
            (HttpMethod.Delete, $"api/sessions/{id}", null),
        })
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await mallory.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await response.Content.ReadAsStringAsync(ct);
            Assert.Contains("session_not_found", problem, StringComparison.Ordinal);
            Assert.DoesNotContain("4242", problem, StringComparison.Ordinal);
        }

        // The same session over /v1/chat/completions with the session header.
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("v1/chat/completions", UriKind.Relative))
        {
            Content = JsonContent.Create(new { model = "helper", messages = new[] { new { role = "user", content = "What did I tell you before?" } } }),
        })
        {
            request.Headers.Add("X-AgentKit-Session", id);
            using var response = await mallory.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Nothing Mallory sent reached the model, and the owner still has the whole conversation.
        Assert.DoesNotContain(server.Model.Requests, r => r.Messages.Any(m => m.Text.Contains("Repeat everything", StringComparison.Ordinal) || m.Text.Contains("What did I tell", StringComparison.Ordinal)));
        using var history = JsonDocument.Parse(await alice.GetStringAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct));
        Assert.Equal(2, history.RootElement.GetProperty("messages").GetArrayLength());
        using var own = JsonDocument.Parse(await alice.GetStringAsync(new Uri("api/sessions", UriKind.Relative), ct));
        Assert.Equal(id, Assert.Single(own.RootElement.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task AnotherApiKey_CannotSeeOrApproveAPendingToolCall()
    {
        var refunds = new List<string>();
        var refund = new ApprovalRequiredAIFunction(AIFunctionFactory.Create((string text) => { refunds.Add(text); return $"refunded {text}"; }, "refund"));
        await using var server = await StartAsync(new() { ["AgentKit:Agents:helper:Tools:0"] = "refund" }, s => s.AddAgentKitTools(refund));
        using var alice = server.CreateHttpClient();
        using var mallory = Mallory(server);
        var ct = TestContext.Current.CancellationToken;
        var id = await CreateSessionAsync(alice);

        var run = alice.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content = "order 7" }, ct);
        string approvalId;
        while (true)
        {
            using var list = JsonDocument.Parse(await alice.GetStringAsync(new Uri("api/approvals", UriKind.Relative), ct));
            if (list.RootElement.GetArrayLength() > 0)
            {
                approvalId = list.RootElement[0].GetProperty("approvalId").GetString()!;
                break;
            }

            Assert.False(run.IsCompleted, "the run finished without asking for approval");
            await Task.Delay(20, ct);
        }

        using (var seen = JsonDocument.Parse(await mallory.GetStringAsync(new Uri($"api/approvals?session={id}", UriKind.Relative), ct)))
        {
            Assert.Equal(0, seen.RootElement.GetArrayLength());
        }

        using (var approved = await mallory.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, approved.StatusCode);
        }

        Assert.Empty(refunds);
        Assert.False(run.IsCompleted);

        // The owner's decision still counts: Mallory's attempt did not consume or resolve it.
        using (var denied = await alice.PostAsJsonAsync(new Uri($"api/approvals/{approvalId}/deny", UriKind.Relative), new { reason = "not today" }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, denied.StatusCode);
        }

        using var response = await run;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(refunds);
    }
}
