using System.Diagnostics;
using System.Text;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Hosting.Models;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests;

/// <summary>
/// A configured OpenAI-compatible model endpoint (a real loopback HTTP server) that hangs or answers garbage: each
/// call ends within its timeout and retries with a <see cref="ModelEndpointException"/> that says what failed.
/// </summary>
public sealed class ModelEndpointFaultTests : IDisposable
{
    private const string Chunk = """data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"served-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""";
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task HangingEndpoint_TimesOutPerAttempt_AndSaysSo()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, "{}"u8.ToArray()) { Delay = TimeSpan.FromSeconds(30) });
        var clock = Stopwatch.StartNew();

        var error = await FailAsync(server.BaseAddress, streaming: false, timeout: "00:00:00.3");

        Assert.Equal(ModelEndpointFailure.Timeout, error.Failure);
        Assert.Contains("did not answer within 0.3 s (AgentKit:Models:remote:Timeout)", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task EndpointThatIsDown_IsUnreachable_AndSaysSo()
    {
        var error = await FailAsync(LoopbackHttpServer.ClosedAddress(), streaming: false);

        Assert.Equal(ModelEndpointFailure.Unreachable, error.Failure);
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "HTTP 500 (internal server error)")]
    [InlineData(429, "HTTP 429 (too many requests")]
    [InlineData(401, "HTTP 401 (the API key was refused)")]
    public async Task HttpError_IsRetriedWhenTransient_ThenReportedWithItsStatus(int status, string expected)
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(status, """{"error":{"message":"boom"}}"""u8.ToArray())
        {
            Headers = { ["Content-Type"] = "application/json", ["Retry-After"] = "0" },
        });

        var error = await FailAsync(server, streaming: false);

        Assert.Equal(ModelEndpointFailure.HttpError, error.Failure);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains($"The model 'remote' at {server.BaseAddress}v1", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(status == 401 ? 1 : 2, server.Requests.Count);
    }

    [Theory]
    [InlineData(false, """{"error":{"message":"This model's maximum context length is 4096 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""")]
    [InlineData(true, """{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}""")]
    public async Task UpstreamContextOverflow_IsContextLengthExceeded(bool streaming, string body)
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(400, System.Text.Encoding.UTF8.GetBytes(body)) { Headers = { ["Content-Type"] = "application/json" } });

        var error = await FailAsync(server, streaming);

        Assert.Equal(AgentKit.Abstractions.Models.ModelFailureKind.ContextLengthExceeded, error.Kind);
        Assert.Contains("does not fit in its context window", error.Reason, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task OtherUpstream400_IsUnavailableNotContextOverflow()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(400, """{"error":{"message":"bad","code":"invalid_value"}}"""u8.ToArray()) { Headers = { ["Content-Type"] = "application/json" } });

        var error = await FailAsync(server, streaming: false);

        Assert.Equal(AgentKit.Abstractions.Models.ModelFailureKind.Unavailable, error.Kind);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task NonJsonAnswer_IsAnInvalidResponse()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, "<html>gateway says hi</html>"u8.ToArray()) { Headers = { ["Content-Type"] = "application/json" } });

        var error = await FailAsync(server, streaming: false);

        Assert.Equal(ModelEndpointFailure.InvalidResponse, error.Failure);
        Assert.Contains("is not a valid chat completion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamThatEndsWithoutAFinishReason_IsTruncated_NotAShortAnswer()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, Encoding.UTF8.GetBytes(Chunk + "\n\n")) { Headers = { ["Content-Type"] = "text/event-stream" } });

        var error = await FailAsync(server, streaming: true);

        Assert.Equal(ModelEndpointFailure.TruncatedStream, error.Failure);
        Assert.Contains("ended before the model finished", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamCutMidEvent_IsReportedNotHung()
    {
        var body = Encoding.UTF8.GetBytes(Chunk + "\n\n" + Chunk[..40]);
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, body) { Headers = { ["Content-Type"] = "text/event-stream" }, AnnouncedLength = body.Length + 500 });

        var error = await FailAsync(server, streaming: true);

        Assert.Contains(error.Failure, new[] { ModelEndpointFailure.TruncatedStream, ModelEndpointFailure.InvalidResponse, ModelEndpointFailure.Timeout });
        Assert.StartsWith("The model 'remote' at ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentOnAFailingEndpoint_EndsItsRunFailed_WithThePlainReason_AndTheSessionStaysUsable()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(503, []) { Headers = { ["Retry-After"] = "0" } });
        using var host = await StartAsync(server, new Dictionary<string, string?> { ["AgentKit:Agents:helper:Instructions"] = "You help." });
        var ct = TestContext.Current.CancellationToken;
        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("helper", ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("Hello?", ct))
        {
            events.Add(e);
        }

        var failed = Assert.IsType<RunFailedEvent>(events[^1]);
        Assert.Equal(AgentRunOutcome.Failed, failed.Result.Outcome);
        Assert.Contains("The model 'remote' at ", failed.Result.Error, StringComparison.Ordinal);
        Assert.Contains("HTTP 503 (the endpoint is unavailable)", failed.Result.Error, StringComparison.Ordinal);

        // The input is kept, followed only by the note of how the turn ended (shown after a reload, never sent to a
        // model), and the next run starts from a consistent history.
        var history = await session.GetHistoryAsync(ct);
        Assert.Equal(2, history.Count);
        Assert.Equal("Hello?", history[0].Text);
        var note = Assert.IsType<ErrorContent>(Assert.Single(history[1].Contents));
        Assert.Equal(nameof(AgentRunOutcome.Failed), note.ErrorCode);
        Assert.Contains("HTTP 503", note.Message, StringComparison.Ordinal);
    }

    private Task<ModelEndpointException> FailAsync(LoopbackHttpServer server, bool streaming) => FailAsync(server.BaseAddress, streaming);

    /// <summary>Calls the endpoint until the client gives up; each attempt may take <paramref name="timeout"/>.</summary>
    /// <param name="timeout">The per-attempt timeout: the default is long enough that a slow (loaded) machine does not
    /// turn a first attempt into a timeout and a retry, which would change the request counts the tests check.</param>
    private async Task<ModelEndpointException> FailAsync(Uri address, bool streaming, string timeout = "00:00:10")
    {
        using var host = await StartAsync(address, new Dictionary<string, string?> { ["AgentKit:Models:remote:Timeout"] = timeout });
        var client = host.Services.GetRequiredKeyedService<IChatClient>("remote");
        var ct = TestContext.Current.CancellationToken;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        return await Assert.ThrowsAsync<ModelEndpointException>(async () =>
        {
            if (streaming)
            {
                await foreach (var _ in client.GetStreamingResponseAsync("Hello", cancellationToken: bound.Token))
                {
                }
            }
            else
            {
                await client.GetResponseAsync("Hello", cancellationToken: bound.Token);
            }
        });
    }

    private Task<IHost> StartAsync(LoopbackHttpServer server, Dictionary<string, string?> extra) => StartAsync(server.BaseAddress, extra);

    private async Task<IHost> StartAsync(Uri address, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = new Uri(address, "v1").AbsoluteUri,
            ["AgentKit:Models:remote:ApiKey"] = "secret-key",
            ["AgentKit:Models:remote:Model"] = "served-model",
            ["AgentKit:Models:remote:Timeout"] = "00:00:10",
            ["AgentKit:Models:remote:MaxRetries"] = "1",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var builder = _hosts.Builder(settings);
        builder.AddAgentKit();
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }
}
