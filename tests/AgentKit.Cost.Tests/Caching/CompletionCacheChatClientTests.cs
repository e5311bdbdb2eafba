using AgentKit.Abstractions.Diagnostics;
using AgentKit.Cost.Caching;
using AgentKit.Cost.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Tests.Caching;

[Collection(nameof(CacheTests))]
public sealed class CompletionCacheChatClientTests(MiniLMFixture miniLM) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IdenticalRequest_IsAnsweredFromExactLayer_WithoutCallingModel(bool streaming)
    {
        var (model, client, cache) = Create();
        using var _ = cache;

        var first = await Ask(client, streaming, "What is the capital of France?");
        var second = await Ask(client, streaming, "  What is the   capital of France? ");

        Assert.Equal(1, model.CallCount);
        Assert.Equal(first.Text, second.Text);
        Assert.Null(first.AdditionalProperties?.GetValueOrDefault(CompletionCacheRequest.ServedFromKey));
        Assert.Equal("exact", second.AdditionalProperties?[CompletionCacheRequest.ServedFromKey]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnswerStoredByOnePath_IsServedToTheOther(bool storeStreaming)
    {
        var (model, client, cache) = Create();
        model.StreamChunkLength = 3;
        using var _ = cache;

        var stored = await Ask(client, storeStreaming, "Name three primary colours.");
        var served = await Ask(client, !storeStreaming, "Name three primary colours.");

        Assert.Equal(1, model.CallCount);
        Assert.Equal(stored.Text, served.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Paraphrase_IsAnsweredFromSemanticLayer(bool streaming)
    {
        var (model, client, cache) = Create();
        using var _ = cache;

        var first = await Ask(client, streaming, "What is the status of order SB-10421?");
        var second = await Ask(client, streaming, "Can you tell me the status of order SB-10421?");

        Assert.Equal(1, model.CallCount);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal("semantic", second.AdditionalProperties?[CompletionCacheRequest.ServedFromKey]);
    }

    [Theory]
    [InlineData(false, "What is the status of order SB-10422?")]
    [InlineData(true, "What is the status of order SB-10422?")]
    [InlineData(false, "What is the status of order SB-10421 for Alice?")]
    [InlineData(false, "What was the total of order SB-10421 on 2026-12-04?")]
    [InlineData(false, "Is it 3 items in order SB-10421?")]
    public async Task NearMissWithOtherEntity_GoesToModel_AndCountsGuardRejection(bool streaming, string nearMiss)
    {
        using var metrics = new MeasurementCollector(AgentKitTelemetry.CostMeterName);
        var (model, client, cache) = Create(threshold: 0.5);
        using var _ = cache;
        await Ask(client, streaming, nearMiss.Contains("2026", StringComparison.Ordinal)
            ? "What was the total of order SB-10421 on 2026-12-05?"
            : nearMiss.Contains('3', StringComparison.Ordinal) ? "Is it 4 items in order SB-10421?" : "What is the status of order SB-10421?");

        var answer = await Ask(client, streaming, nearMiss);

        Assert.Equal(2, model.CallCount);
        Assert.Equal("answer 2", answer.Text);
        Assert.Contains(metrics.Measurements, m => m.Instrument == "agentkit.cache.guard_rejections");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponseCallingSideEffectTool_IsNeverCached(bool streaming)
    {
        var (model, client, cache) = Create();
        using var _ = cache;
        model.Respond = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "cancel_order", new Dictionary<string, object?> { ["id"] = "SB-1" })]));

        await Ask(client, streaming, "Cancel order SB-1");
        await Ask(client, streaming, "Cancel order SB-1");

        Assert.Equal(2, model.CallCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponseCallingSideEffectFreeTool_IsCached(bool streaming)
    {
        var (model, client, cache) = Create(configure: o => o.SideEffectFreeTools.Add("get_weather"));
        using var _ = cache;
        model.Respond = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]));

        await Ask(client, streaming, "Weather in Oslo?");
        var second = await Ask(client, streaming, "Weather in Oslo?");

        Assert.Equal(1, model.CallCount);
        Assert.Single(second.Messages.SelectMany(m => m.Contents), c => c is FunctionCallContent);
    }

    [Fact]
    public async Task StreamStoppedEarly_IsNotCached()
    {
        var (model, client, cache) = Create();
        using var _ = cache;
        model.StreamChunkLength = 2;
        model.Respond = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "a long streamed answer"));

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Tell me a story")]))
        {
            break;
        }

        await Ask(client, streaming: true, "Tell me a story");
        Assert.Equal(2, model.CallCount);

        var third = await Ask(client, streaming: true, "Tell me a story");
        Assert.Equal(2, model.CallCount);
        Assert.Equal("a long streamed answer", third.Text);
    }

    [Fact]
    public async Task StreamThatFails_IsNotCached()
    {
        var (model, _, cache) = Create();
        using var _ = cache;
        var failing = new FailingStreamClient(model);
        using var client = new CompletionCacheChatClient(failing, cache);

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Tell me a story")]))
            {
            }
        });

        failing.Fail = false;
        await Ask(client, streaming: true, "Tell me a story");
        Assert.Equal(2, model.CallCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TruncatedAnswer_IsNotCached(bool streaming)
    {
        var (model, client, cache) = Create();
        using var _ = cache;
        model.Respond = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut sho")) { FinishReason = ChatFinishReason.Length };

        await Ask(client, streaming, "Write an essay");
        await Ask(client, streaming, "Write an essay");

        Assert.Equal(2, model.CallCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PerUserData_InGlobalScope_IsNotCached(bool streaming)
    {
        var (model, client, cache) = Create();
        using var _ = cache;
        var options = new ChatOptions().WithCacheScope(userData: true);

        await Ask(client, streaming, "What is my balance?", options);
        await Ask(client, streaming, "What is my balance?", options);

        Assert.Equal(2, model.CallCount);
    }

    [Fact]
    public async Task ToolResultsInRequest_AreTreatedAsPerUserData()
    {
        var (model, client, cache) = Create();
        using var _ = cache;
        ChatMessage[] request =
        [
            new(ChatRole.User, "Where is my order?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "find_order")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "order SB-7 for Bob, 12 Elm Street")]),
        ];

        await client.GetResponseAsync(request);
        await client.GetResponseAsync(request);

        Assert.Equal(2, model.CallCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PerUserData_InUserSessionScope_IsCachedForThatSessionOnly(bool streaming)
    {
        var (model, client, cache) = Create(configure: o => o.Scope = CompletionCacheScope.UserSession);
        using var _ = cache;

        await Ask(client, streaming, "What is my balance?", new ChatOptions().WithCacheScope(sessionId: "alice", userData: true));
        var again = await Ask(client, streaming, "What is my balance?", new ChatOptions().WithCacheScope(sessionId: "alice", userData: true));
        Assert.Equal(1, model.CallCount);
        Assert.Equal("answer 1", again.Text);

        var other = await Ask(client, streaming, "What is my balance?", new ChatOptions().WithCacheScope(sessionId: "bob", userData: true));
        Assert.Equal(2, model.CallCount);
        Assert.Equal("answer 2", other.Text);

        await Ask(client, streaming, "What is my balance?");
        Assert.Equal(3, model.CallCount);
    }

    [Fact]
    public async Task AgentScope_SeparatesAgents_AndSkipsRequestsWithoutAgent()
    {
        var (model, client, cache) = Create(configure: o => o.Scope = CompletionCacheScope.Agent);
        using var _ = cache;

        await Ask(client, false, "Hello", new ChatOptions().WithCacheScope(agentId: "support"));
        await Ask(client, false, "Hello", new ChatOptions().WithCacheScope(agentId: "support"));
        await Ask(client, false, "Hello", new ChatOptions().WithCacheScope(agentId: "sales"));
        await Ask(client, false, "Hello");
        await Ask(client, false, "Hello");

        Assert.Equal(4, model.CallCount);
    }

    [Fact]
    public async Task DifferentOptionsOrSystemPrompt_AreDifferentRequests()
    {
        var (model, client, cache) = Create();
        using var _ = cache;

        await client.GetResponseAsync("Summarise the policy", new ChatOptions { Temperature = 0 });
        await client.GetResponseAsync("Summarise the policy", new ChatOptions { Temperature = 1 });
        await client.GetResponseAsync([new(ChatRole.System, "Answer in French."), new(ChatRole.User, "Summarise the policy")], new ChatOptions { Temperature = 0 });
        await client.GetResponseAsync("Summarise the policy", new ChatOptions { Temperature = 0 });

        Assert.Equal(3, model.CallCount);
    }

    [Fact]
    public async Task OptedOutAndServerSideConversation_BypassTheCache()
    {
        var (model, client, cache) = Create();
        using var _ = cache;

        await client.GetResponseAsync("Hi", new ChatOptions().WithoutCompletionCache());
        await client.GetResponseAsync("Hi", new ChatOptions().WithoutCompletionCache());
        await client.GetResponseAsync("Hi", new ChatOptions { ConversationId = "conv-1" });
        await client.GetResponseAsync("Hi", new ChatOptions { ConversationId = "conv-1" });

        Assert.Equal(4, model.CallCount);
    }

    [Fact]
    public async Task EntryExpires_AfterTimeToLive()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        var (model, client, cache) = Create(configure: o => { o.TimeToLive = TimeSpan.FromMinutes(10); o.TimeProvider = clock; });
        using var _ = cache;

        await Ask(client, false, "What is the status of order SB-10421?");
        clock.Now += TimeSpan.FromMinutes(9);
        await Ask(client, false, "What is the status of order SB-10421?");
        await Ask(client, false, "Could you tell me the status of order SB-10421?");
        Assert.Equal(1, model.CallCount);

        clock.Now += TimeSpan.FromMinutes(2);
        await Ask(client, false, "What is the status of order SB-10421?");
        Assert.Equal(2, model.CallCount);
    }

    [Fact]
    public async Task Invalidation_ForgetsOneRequest_OneScope_OrEverything()
    {
        var (model, client, cache) = Create(configure: o => o.Scope = CompletionCacheScope.Agent);
        using var _ = cache;
        var support = new ChatOptions().WithCacheScope(agentId: "support");
        var sales = new ChatOptions().WithCacheScope(agentId: "sales");
        await Ask(client, false, "Status of order SB-10421?", support);
        await Ask(client, false, "Opening hours?", support);
        await Ask(client, false, "Opening hours?", sales);
        Assert.Equal(3, model.CallCount);

        await cache.InvalidateAsync([new ChatMessage(ChatRole.User, "Status of order SB-10421?")], support);
        await Ask(client, false, "Status of order SB-10421?", support);
        await Ask(client, false, "Opening hours?", support);
        Assert.Equal(4, model.CallCount);

        await cache.InvalidateScopeAsync(CompletionCacheScope.Agent, agentId: "support");
        await Ask(client, false, "Opening hours?", support);
        await Ask(client, false, "Opening hours?", sales);
        Assert.Equal(5, model.CallCount);

        await cache.ClearAsync();
        await Ask(client, false, "Opening hours?", sales);
        Assert.Equal(6, model.CallCount);
    }

    [Fact]
    public async Task Metrics_CountHitsMissesAndSemanticHits()
    {
        using var metrics = new MeasurementCollector(AgentKitTelemetry.CostMeterName);
        var (_, client, cache) = Create();
        using var _ = cache;

        await Ask(client, false, "How do I reset my password?");
        await Ask(client, false, "How do I reset my password?");
        await Ask(client, false, "How can I reset my password?");

        var measurements = metrics.Measurements;
        Assert.Equal(1, measurements.Count(m => m.Instrument == "agentkit.cache.misses"));
        Assert.Equal(1, measurements.Count(m => m.Instrument == "agentkit.cache.hits" && (string?)m.Tag("agentkit.cache.layer") == "exact"));
        Assert.Equal(1, measurements.Count(m => m.Instrument == "agentkit.cache.hits" && (string?)m.Tag("agentkit.cache.layer") == "semantic"));
        Assert.Equal(3, measurements.Count(m => m.Instrument == "agentkit.cache.lookup.duration"));
    }

    [Fact]
    public async Task UseCompletionCache_AddsTheLayerToABuilder()
    {
        var model = Numbered();
        using var cache = CompletionCache.OpenSqlite(_folder.File("builder.db"), null);
        using var client = new ChatClientBuilder(model).UseCompletionCache(cache).Build();

        await client.GetResponseAsync("Hi");
        await client.GetResponseAsync("Hi");

        Assert.Equal(1, model.CallCount);
        Assert.NotNull(client.GetService<CompletionCacheChatClient>());
    }

    private (ScriptedChatClient Model, IChatClient Client, CompletionCache Cache) Create(double threshold = 0.85, Action<CompletionCacheOptions>? configure = null)
    {
        var options = new CompletionCacheOptions { SimilarityThreshold = threshold };
        configure?.Invoke(options);
        var cache = CompletionCache.OpenSqlite(_folder.File($"cache-{Guid.NewGuid():N}.db"), miniLM.Generator, options);
        var model = Numbered();
        return (model, new CompletionCacheChatClient(model, cache), cache);
    }

    private static ScriptedChatClient Numbered()
    {
        ScriptedChatClient? model = null;
        model = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {model!.CallCount}")));
        return model;
    }

    internal static async Task<ChatResponse> Ask(IChatClient client, bool streaming, string question, ChatOptions? options = null)
    {
        ChatMessage[] messages = [new(ChatRole.User, question)];
        if (!streaming)
        {
            return await client.GetResponseAsync(messages, options);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        if (updates.FirstOrDefault()?.AdditionalProperties?.GetValueOrDefault(CompletionCacheRequest.ServedFromKey) is { } layer)
        {
            (response.AdditionalProperties ??= [])[CompletionCacheRequest.ServedFromKey] = layer;
        }

        return response;
    }

    /// <summary>Wraps the scripted model and breaks its stream after the first update while <see cref="Fail"/> is set.</summary>
    private sealed class FailingStreamClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public bool Fail { get; set; } = true;

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
                if (Fail)
                {
                    throw new IOException("connection reset mid-stream");
                }
            }
        }
    }
}
