using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ShopBot.Agent;

namespace ShopBot.Tests;

/// <summary>A browser's side of the web chat: signed in with ShopBot's cookie, calling AgentKit's session API.</summary>
internal sealed class WebCustomer : IDisposable
{
    private readonly CookieContainer _cookies;

    private WebCustomer(HttpClient http, CookieContainer cookies, string customer)
    {
        Http = http;
        _cookies = cookies;
        Customer = customer;
    }

    /// <summary>The client, sending the sign-in cookie.</summary>
    public HttpClient Http { get; }

    /// <summary>The customer's name identifier, which owns their sessions.</summary>
    public string Customer { get; }

    /// <summary>The sign-in cookie, as a <c>Cookie</c> header value.</summary>
    public string Cookie => _cookies.GetCookieHeader(Http.BaseAddress!);

    /// <summary>A client that sends no cookies of its own (a test may set a <c>Cookie</c> header).</summary>
    public static HttpClient Anonymous(TestShop shop) => new(new HttpClientHandler { UseCookies = false }) { BaseAddress = shop.App.Url };

    public static async Task<WebCustomer> SignInAsync(TestShop shop)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = shop.App.Url };
        using var response = await http.PostAsync(new Uri("/api/signin", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return new WebCustomer(http, cookies, body.RootElement.GetProperty("customer").GetString()!);
    }

    public async Task<string> CreateSessionAsync()
    {
        using var response = await Http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { agent = ShopBotAgent.Name }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Sends a message as the page does and reads the run's server-sent events to the end.</summary>
    public async Task<IReadOnlyList<ServerSentEvent>> SendAsync(string sessionId, string text)
    {
        var ct = TestContext.Current.CancellationToken;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/sessions/{sessionId}/messages", UriKind.Relative))
        {
            Content = JsonContent.Create(new { content = text, stream = true }),
        };
        request.Headers.Accept.Add(new("text/event-stream"));
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<ServerSentEvent>();
        foreach (var frame in (await response.Content.ReadAsStringAsync(ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = frame.Split('\n');
            var type = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];
            var data = lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
            events.Add(new ServerSentEvent(type, JsonDocument.Parse(data).RootElement.Clone()));
        }

        return events;
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>One server-sent event: its <c>event:</c> name and its <c>data:</c> JSON.</summary>
internal sealed record ServerSentEvent(string Type, JsonElement Data);
