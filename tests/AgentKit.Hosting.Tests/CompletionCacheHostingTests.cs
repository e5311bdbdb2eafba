using System.Text;
using AgentKit.Cost.Caching;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests;

/// <summary><c>AgentKit:Models:&lt;name&gt;:Cache</c>: a configured model answered by a real loopback endpoint, behind its completion cache.</summary>
public sealed class CompletionCacheHostingTests : IDisposable
{
    private readonly TestHosts _hosts = new();
    private int _requests;

    public void Dispose() => _hosts.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConfiguredCache_AnswersRepeatAndParaphrase_WithoutTheEndpoint(bool streaming)
    {
        await using var server = new LoopbackHttpServer(request => Completion($"answer {Interlocked.Increment(ref _requests)}", Encoding.UTF8.GetString(request.Body).Contains("\"stream\":true", StringComparison.Ordinal)));
        using var host = await StartAsync(server, new() { ["AgentKit:Models:remote:Cache:SimilarityThreshold"] = "0.85" });
        var client = host.Services.GetRequiredKeyedService<IChatClient>("remote");

        var first = await Ask(client, "What is the status of order SB-10421?", streaming: false);
        var repeat = await Ask(client, "What is the status of order SB-10421?", streaming);
        var paraphrase = await Ask(client, "Can you tell me the status of order SB-10421?", streaming);
        var other = await Ask(client, "What is the status of order SB-10422?", streaming);

        Assert.Equal("answer 1", first);
        Assert.Equal("answer 1", repeat);
        Assert.Equal("answer 1", paraphrase);
        Assert.Equal("answer 2", other);
        Assert.Equal(2, _requests);
        Assert.True(File.Exists(Path.Combine(_hosts.ContentRoot, "data", "cache", "remote.db")));
        Assert.NotNull(client.GetService<CompletionCacheChatClient>());
    }

    [Fact]
    public async Task AgentScope_ComesFromTheRunningAgent_NotFromTheRequest()
    {
        await using var server = new LoopbackHttpServer(request => Completion($"answer {Interlocked.Increment(ref _requests)}", Encoding.UTF8.GetString(request.Body).Contains("\"stream\":true", StringComparison.Ordinal)));
        using var host = await StartAsync(server, new()
        {
            ["AgentKit:Models:remote:Cache:Scope"] = "Agent",
            ["AgentKit:Agents:first:Instructions"] = "You help.",
            ["AgentKit:Agents:second:Instructions"] = "You help.",
        });
        var runner = host.Services.GetRequiredService<AgentKit.Agents.AgentRunner>();
        var ct = TestContext.Current.CancellationToken;

        async Task<string?> RunAsync(string agent)
        {
            var session = await runner.CreateSessionAsync(agent, ct);
            return (await session.RunAsync("What are your opening hours?", ct)).Text;
        }

        Assert.Equal("answer 1", await RunAsync("first"));
        Assert.Equal("answer 1", await RunAsync("first"));
        Assert.Equal("answer 2", await RunAsync("second"));
        Assert.Equal(2, _requests);

        // Outside an agent run, the Agent scope needs an agent id on the request, else nothing is cached.
        var client = host.Services.GetRequiredKeyedService<IChatClient>("remote");
        await client.GetResponseAsync("What are your opening hours?", cancellationToken: ct);
        await client.GetResponseAsync("What are your opening hours?", cancellationToken: ct);
        Assert.Equal(4, _requests);
    }

    [Fact]
    public async Task BadCacheSettings_StopStartUp_NamingTheirKeys()
    {
        await using var server = new LoopbackHttpServer(_ => Completion("unused"));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(server, new()
        {
            ["AgentKit:Models:remote:Cache:SimilarityThreshold"] = "0.1",
            ["AgentKit:Models:remote:Cache:MaxEntries"] = "0",
            ["AgentKit:Models:remote:Cache:TimeToLive"] = "00:00:00",
            ["AgentKit:Models:remote:Cache:EmbeddingModel"] = "remote",
        }));

        Assert.Contains("AgentKit:Models:remote:Cache:SimilarityThreshold", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:remote:Cache:MaxEntries", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:remote:Cache:TimeToLive", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Models:remote:Cache:EmbeddingModel: 'remote' is a Chat model", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> Ask(IChatClient client, string question, bool streaming)
    {
        var ct = TestContext.Current.CancellationToken;
        if (!streaming)
        {
            return (await client.GetResponseAsync(question, cancellationToken: ct)).Text;
        }

        var text = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(question, cancellationToken: ct))
        {
            text.Append(update.Text);
        }

        return text.ToString();
    }

    private static LoopbackResponse Completion(string text, bool stream = false) => stream
        ? new(200, Encoding.UTF8.GetBytes(
            $$$"""data: {"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"served-model","choices":[{"index":0,"delta":{"role":"assistant","content":"{{{text}}}"},"finish_reason":"stop"}]}""" + "\n\ndata: [DONE]\n\n"))
        {
            Headers = { ["Content-Type"] = "text/event-stream" },
        }
        : new(200, Encoding.UTF8.GetBytes(
        $$$"""{"id":"c1","object":"chat.completion","created":1700000000,"model":"served-model","choices":[{"index":0,"message":{"role":"assistant","content":"{{{text}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"""))
    {
        Headers = { ["Content-Type"] = "application/json" },
    };

    private async Task<IHost> StartAsync(LoopbackHttpServer server, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = new Uri(server.BaseAddress, "v1").AbsoluteUri,
            ["AgentKit:Models:remote:ApiKey"] = "secret-key",
            ["AgentKit:Models:remote:Model"] = "served-model",
            ["AgentKit:Models:remote:Cache:Enabled"] = "true",
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
