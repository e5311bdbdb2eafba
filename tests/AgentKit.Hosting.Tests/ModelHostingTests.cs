using System.Text;
using AgentKit.Abstractions;
using AgentKit.Hosting.Admission;
using AgentKit.Hosting.Models;
using AgentKit.LlamaCpp;
using AgentKit.Testing;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests;

public sealed class ModelHostingTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static Dictionary<string, string?> LocalChat(string path) => new()
    {
        ["AgentKit:Models:tiny:Path"] = path,
        ["AgentKit:Models:tiny:ContextSize"] = "512",
        ["AgentKit:Models:tiny:Threads"] = "1",
        ["AgentKit:Models:tiny:MaxContexts"] = "1",
        ["AgentKit:Models:tiny:MaxSequences"] = "2",
    };

    [Fact]
    public async Task LocalModel_OffersItsTokenizer_OnceWarmedUp_BeforeAnyRequest()
    {
        var builder = _hosts.Builder(LocalChat(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2)));
        builder.AddAgentKit(o => o.Models["tiny"].WarmUp = false);
        using var host = builder.Build();
        var ct = TestContext.Current.CancellationToken;
        await host.StartAsync(ct);
        var chat = host.Services.GetRequiredKeyedService<IChatClient>("tiny");
        Assert.Null(chat.GetService<AgentKit.Abstractions.Text.ITokenCounter>());

        await host.Services.GetRequiredService<ModelCatalog>().WarmUpAsync("tiny", ct);

        var counter = chat.GetService<AgentKit.Abstractions.Text.ITokenCounter>();
        Assert.NotNull(counter);
        Assert.InRange(counter.CountTokens("Where is my order SB-10421?"), 3, 30);
        Assert.NotNull(chat.GetService<AgentKit.LlamaCpp.LlamaModel>());
    }

    [Fact]
    public async Task LocalModel_WarmsUp_IsHealthy_AndAnswersThroughKeyedAndDefaultClients()
    {
        var builder = _hosts.Builder(LocalChat(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2)));
        builder.AddAgentKit();
        using var host = builder.Build();
        var ct = TestContext.Current.CancellationToken;
        await host.StartAsync(ct);

        var catalog = host.Services.GetRequiredService<ModelCatalog>();
        await catalog.WarmUpAsync("tiny", ct);
        Assert.Equal(ModelLoadState.Loaded, Assert.Single(catalog.GetStatuses(), s => s.Name == "tiny").State);

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Healthy, health.Status);

        var keyed = host.Services.GetRequiredKeyedService<IChatClient>("tiny");
        Assert.Same(keyed, host.Services.GetRequiredService<IChatClient>());
        var response = await keyed.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 4, Temperature = 0 }, ct);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 4);

        // Capabilities of the engine stay discoverable through the middleware layers.
        var multi = keyed.GetService<IMultiSequenceChatClient>();
        Assert.NotNull(multi);
        Assert.Equal(2, multi.MaxSequences);
        Assert.NotNull(keyed.GetService<LlamaModel>());

        // Agents get the same engine without the function-invocation layer: their runtime runs the tools.
        var forAgents = host.Services.GetRequiredKeyedService<IChatClient>(ModelKeys.ForAgents("tiny"));
        Assert.NotNull(keyed.GetService<FunctionInvokingChatClient>());
        Assert.Null(forAgents.GetService<FunctionInvokingChatClient>());
        Assert.Same(keyed.GetService<LlamaModel>(), forAgents.GetService<LlamaModel>());

        // One admission control per model, sized by the requests its batch scheduler decodes together (MaxSequences),
        // under both pipelines and the multi-sequence calls.
        var admission = keyed.GetService<ModelAdmission>();
        Assert.NotNull(admission);
        Assert.Same(admission, forAgents.GetService<ModelAdmission>());
        Assert.Equal((2, 16, TimeSpan.FromSeconds(30)), (admission.Options.Capacity, admission.Options.MaxQueuedRequests, admission.Options.QueueTimeout));
        Assert.IsType<ModelAdmissionChatClient>(multi);
        Assert.Equal(1, admission.Admitted);
        var scheduler = keyed.GetService<AgentKit.LlamaCpp.Batching.LlamaBatchScheduler>();
        Assert.NotNull(scheduler);
        Assert.Equal((2, 512, 1), (scheduler.Options.MaxSequences, scheduler.Options.ContextSize, scheduler.Threads));

        await host.StopAsync(ct);
    }

    [Fact]
    public async Task LocalModel_WithBatchingOff_UsesTheContextPool_AndAdmissionIsSizedByItsContexts()
    {
        var settings = LocalChat(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2));
        settings["AgentKit:Models:tiny:Batching"] = "false";
        settings["AgentKit:Models:tiny:MaxContexts"] = "2";
        var builder = _hosts.Builder(settings);
        builder.AddAgentKit();
        using var host = builder.Build();
        var ct = TestContext.Current.CancellationToken;
        await host.StartAsync(ct);

        var keyed = host.Services.GetRequiredKeyedService<IChatClient>("tiny");
        var response = await keyed.GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 3, Temperature = 0 }, ct);
        Assert.InRange(response.Usage!.OutputTokenCount ?? 0, 1, 3);
        Assert.Equal(2, keyed.GetService<ModelAdmission>()!.Options.Capacity);
        Assert.Null(keyed.GetService<AgentKit.LlamaCpp.Batching.LlamaBatchScheduler>());
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task LocalModel_WithSpeculation_AndBatching_DraftsByLookupInTheScheduler_AndAnswersAsWithout()
    {
        const string Prompt = "The order 4412 shipped on Monday. The order 4412 shipped on Monday. The order";
        var ct = TestContext.Current.CancellationToken;
        var path = TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);
        async Task<(ChatResponse Response, AgentKit.LlamaCpp.Batching.LlamaBatchStatistics Statistics)> AskAsync(bool speculation)
        {
            var settings = LocalChat(path);
            settings["AgentKit:Models:tiny:Speculation:Enabled"] = speculation ? "true" : "false";
            settings["AgentKit:Models:tiny:Speculation:LookupMinNgram"] = "1";
            var builder = _hosts.Builder(settings);
            builder.AddAgentKit();
            using var host = builder.Build();
            await host.StartAsync(ct);
            var client = host.Services.GetRequiredKeyedService<IChatClient>("tiny");
            var response = await client.GetResponseAsync(Prompt, new ChatOptions { MaxOutputTokens = 32, Temperature = 0 }, ct);
            var statistics = client.GetService<AgentKit.LlamaCpp.Batching.LlamaBatchScheduler>()!.Statistics;
            await host.StopAsync(ct);
            return (response, statistics);
        }

        var plain = await AskAsync(speculation: false);
        var fast = await AskAsync(speculation: true);

        Assert.Equal(plain.Response.Text, fast.Response.Text);
        Assert.Equal(plain.Response.Usage!.OutputTokenCount, fast.Response.Usage!.OutputTokenCount);
        Assert.Equal(0, plain.Statistics.DraftTokens);
        Assert.True(fast.Statistics.DraftTokens > 0, "Speculation:Enabled with batching (the default) should draft inside the scheduler");
    }

    [Fact]
    public async Task LocalModel_ThatIsNotGguf_IsUnhealthy_AndRequestsGetTheTypedError()
    {
        var path = Path.Combine(_hosts.ContentRoot, "broken.gguf");
        await File.WriteAllTextAsync(path, "this is not a model", TestContext.Current.CancellationToken);
        var builder = _hosts.Builder(LocalChat(path));
        builder.AddAgentKit();
        using var host = builder.Build();
        var ct = TestContext.Current.CancellationToken;
        await host.StartAsync(ct);

        var client = host.Services.GetRequiredKeyedService<IChatClient>("tiny");
        var error = await Assert.ThrowsAsync<LlamaModelLoadException>(() => client.GetResponseAsync("Hello", cancellationToken: ct));
        Assert.Contains("broken.gguf", error.Message, StringComparison.Ordinal);

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Entries["agentkit-models"].Status);
        Assert.Contains("tiny", health.Entries["agentkit-models"].Description, StringComparison.Ordinal);
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task OpenAIModel_CallsTheConfiguredEndpointWithTheKey()
    {
        const string completion = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"served-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi from the server"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}
            """;
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, Encoding.UTF8.GetBytes(completion))
        {
            Headers = { ["Content-Type"] = "application/json" },
        });
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = new Uri(server.BaseAddress, "v1").AbsoluteUri,
            ["AgentKit:Models:remote:ApiKey"] = "secret-key",
            ["AgentKit:Models:remote:Model"] = "served-model",
        });
        builder.AddAgentKit();
        using var host = builder.Build();
        var ct = TestContext.Current.CancellationToken;
        await host.StartAsync(ct);

        var response = await host.Services.GetRequiredKeyedService<IChatClient>("remote").GetResponseAsync("Hello", cancellationToken: ct);

        Assert.Equal("Hi from the server", response.Text);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer secret-key", request.Header("Authorization"));
        await host.StopAsync(ct);
    }

    /// <summary>A clock the test moves by hand, to pass the probe interval without waiting.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public async Task RemoteModelHealth_ProbesTheEndpoint_HealthyWhileUp_UnhealthyOnceItStops()
    {
        var server = new LoopbackHttpServer(r => r.PathOnly == "/v1/models"
            ? new LoopbackResponse(200, """{"object":"list","data":[]}"""u8.ToArray()) { Headers = { ["Content-Type"] = "application/json" } }
            : LoopbackResponse.Empty(404));
        var clock = new ManualClock();
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = new Uri(server.BaseAddress, "v1").AbsoluteUri,
            ["AgentKit:Models:remote:ApiKey"] = "secret-key",
            ["AgentKit:Models:remote:Model"] = "served-model",
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddAgentKit();
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var ct = TestContext.Current.CancellationToken;

        try
        {
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(ct)).Entries["agentkit-models"].Status);
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(ct)).Entries["agentkit-models"].Status);
            var probe = Assert.Single(server.Requests);
            Assert.Equal("GET", probe.Method);
            Assert.Equal("Bearer secret-key", probe.Header("Authorization"));
        }
        finally
        {
            await server.DisposeAsync();
        }

        // Still the cached answer within the interval; probed again (and found down) after it.
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(ct)).Entries["agentkit-models"].Status);
        clock.Advance(RemoteModelProbe.Interval);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var down = (await health.CheckHealthAsync(ct)).Entries["agentkit-models"];
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("remote: the endpoint could not be reached", down.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(server.BaseAddress.Authority, down.Description, StringComparison.Ordinal);
        Assert.True(started.Elapsed < RemoteModelProbe.MaxTimeout + TimeSpan.FromSeconds(5), $"The probe took {started.Elapsed}.");
    }

    [Fact]
    public async Task StorageHealth_WhenTheDataFolderIsAFile_IsUnhealthy()
    {
        var file = Path.Combine(_hosts.ContentRoot, "data-file");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);
        var builder = _hosts.Builder(new Dictionary<string, string?> { ["AgentKit:Storage:Directory"] = "data-file/sub" });
        builder.AddAgentKit();
        using var host = builder.Build();

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, health.Entries["agentkit-storage"].Status);
        Assert.Equal(HealthStatus.Healthy, health.Entries["agentkit-models"].Status);
    }
}
