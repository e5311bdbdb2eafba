using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentKit.Server.Tests;

namespace AgentKit.Hostile.Tests.Server;

/// <summary>
/// Oversized, truncated, mistyped and malformed HTTP bodies against the real API on Kestrel (loopback): each gets a
/// problem-details answer with an OpenAI-style <c>error.code</c> naming the problem (and the limit), never a 500,
/// a hang or a dropped server; sessions keep what they had.
/// </summary>
public sealed class HttpBodyHostileTests : IAsyncLifetime
{
    private static readonly Uri Completions = new("v1/chat/completions", UriKind.Relative);
    private TestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(new() { ["AgentKit:Server:MaxRequestBodyBytes"] = "65536" });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    /// <summary>
    /// Posts with <c>Expect: 100-continue</c>, as a well-behaved client sends a large body: a body refused on its
    /// Content-Length is then never sent, so the client reads the 413 instead of racing the server's close.
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Code, string Message)> SendAsync(HttpClient http, Uri path, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(text);
        var error = body.RootElement.GetProperty("error");
        return (response.StatusCode, error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
    }

    private static ByteArrayContent Json(byte[] bytes, string contentType = "application/json")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new(contentType);
        return content;
    }

    private static byte[] Chat(string content) =>
        JsonSerializer.SerializeToUtf8Bytes(new { model = "echo", messages = new[] { new { role = "user", content } } });

    public static TheoryData<string, byte[], string, HttpStatusCode, string> BadBodies => new()
    {
        { "truncated JSON", Encoding.UTF8.GetBytes("""{"model":"echo","messages":[{"role":"user","content":"hi"""), "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "not JSON", "model=echo&messages=hi"u8.ToArray(), "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "a JSON array", "[1,2,3]"u8.ToArray(), "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "messages of the wrong type", """{"model":"echo","messages":"hi"}"""u8.ToArray(), "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "max_tokens of the wrong type", """{"model":"echo","max_tokens":"lots","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "invalid UTF-8 in a string", [.. "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"caf"u8, 0xE9, 0xFF, .. "\"}]}"u8], "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "nesting 10,000 deep", Encoding.UTF8.GetBytes("""{"model":"echo","messages":""" + new string('[', 10_000) + new string(']', 10_000) + "}"), "application/json", HttpStatusCode.BadRequest, "invalid_json" },
        { "a text/plain body", Chat("hi"), "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
        { "empty body", [], "application/json", HttpStatusCode.BadRequest, "invalid_json" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task MalformedChatCompletionBody_GetsATypedProblem(string name, byte[] body, string contentType, HttpStatusCode status, string code)
    {
        using var http = _server.CreateHttpClient();

        var (actualStatus, actualCode, message) = await SendAsync(http, Completions, Json(body, contentType));

        Assert.True(status == actualStatus && code == actualCode, $"{name}: {(int)actualStatus} {actualCode}: {message}");
        if (name.Contains("UTF-8", StringComparison.Ordinal))
        {
            Assert.Contains("not UTF-8", message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("\n   at ", message, StringComparison.Ordinal);
        await ServerStillAnswersAsync(http);
    }

    [Fact]
    public async Task OversizedBody_WithContentLength_Is413NamingTheLimit()
    {
        using var http = _server.CreateHttpClient();

        var (status, code, message) = await SendAsync(http, Completions, Json(Chat(new string('x', 70_000))));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("request_too_large", code);
        Assert.Contains("65536 bytes", message, StringComparison.Ordinal);
        await ServerStillAnswersAsync(http);
    }

    [Fact]
    public async Task OversizedBody_Chunked_Is413NamingTheLimit()
    {
        using var http = _server.CreateHttpClient();
        var content = new StreamContent(new MemoryStream(Chat(new string('x', 200_000))));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Completions) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("request_too_large", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await ServerStillAnswersAsync(http);
    }

    /// <summary>A client announces 1,000 bytes, sends 20 and hangs up: the server drops that request and keeps serving.</summary>
    [Fact]
    public async Task BodyShorterThanContentLength_ThenDisconnect_LeavesTheServerServing()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port, ct);
            var stream = client.GetStream();
            var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\nAuthorization: Bearer {TestServer.ApiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head + """{"model":"echo","me"""), ct);
            await stream.FlushAsync(ct);
        }

        using var http = _server.CreateHttpClient();
        await ServerStillAnswersAsync(http);
    }

    /// <summary>A message just under the body limit is answered; one over it is refused; the session keeps its history either way.</summary>
    [Fact]
    public async Task ExtremelyLongSessionMessage_IsRefused_AndTheSessionKeepsItsHistory()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = _server.CreateHttpClient();
        using var created = await http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, ct);
        using var session = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
        var id = session.RootElement.GetProperty("id").GetString()!;
        var messages = new Uri($"api/sessions/{id}/messages", UriKind.Relative);

        using (var first = await http.PostAsJsonAsync(messages, new { content = "first " + new string('y', 60_000) }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var (status, code, message) = await SendAsync(http, messages, Json(JsonSerializer.SerializeToUtf8Bytes(new { content = new string('z', 1_000_000) })));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("request_too_large", code);
        Assert.Contains("65536", message, StringComparison.Ordinal);

        var (badStatus, badCode, _) = await SendAsync(http, messages, Json([.. "{\"content\":\"bad "u8, 0xC3, 0x28, .. "\"}"u8]));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (badStatus, badCode));

        using var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct));
        var kept = history.RootElement.GetProperty("messages");
        Assert.Equal(2, kept.GetArrayLength());
        Assert.Contains("first yyy", kept[0].GetRawText(), StringComparison.Ordinal);
    }

    private static async Task ServerStillAnswersAsync(HttpClient http)
    {
        using var response = await http.PostAsync(Completions, Json(Chat("still there?")), TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("echo: still there?", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
