namespace AgentKit.LlamaCpp.Tests.Engine;

/// <summary>How a context pool shares its threads among the contexts in use (issue #18: never more threads than the budget).</summary>
public sealed class ContextPoolThreadTests
{
    [Fact]
    public async Task Pool_SharingThreads_SplitsThemAmongContextsInUseAndGivesThemBack()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var prompt = model.Vocabulary.Tokenize("hello");
        using var pool = new LlamaContextPool(model, SharedModels.SmallContext with { Threads = 4, BatchThreads = 2 }, maxContexts: 3, shareThreads: true);

        var first = await pool.RentAsync([], ct);
        Step(first.Context, prompt, ct);
        Assert.Equal((4, 2), first.Context.NativeThreads);

        using var second = await pool.RentAsync([], ct);
        using var third = await pool.RentAsync([], ct);
        Step(first.Context, prompt, ct);
        Step(second.Context, prompt, ct);
        Step(third.Context, prompt, ct);
        Assert.Equal((1, 1), first.Context.NativeThreads);
        Assert.Equal((1, 1), second.Context.NativeThreads);
        Assert.Equal((1, 1), third.Context.NativeThreads);

        first.Dispose();
        Step(second.Context, prompt, ct);
        Assert.Equal((2, 1), second.Context.NativeThreads);
    }

    [Fact]
    public async Task Pool_NotSharingThreads_GivesEveryContextTheConfiguredThreads()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var prompt = model.Vocabulary.Tokenize("hello");
        using var pool = new LlamaContextPool(model, SharedModels.SmallContext with { Threads = 3, BatchThreads = 2 }, maxContexts: 2);

        using var first = await pool.RentAsync([], ct);
        using var second = await pool.RentAsync([], ct);
        Step(first.Context, prompt, ct);
        Step(second.Context, prompt, ct);

        Assert.Equal((3, 2), first.Context.NativeThreads);
        Assert.Equal((3, 2), second.Context.NativeThreads);
    }

    [Fact]
    public async Task PersistentThreadPool_OnOrOff_GeneratesTheSameGreedyText()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var prompt = model.Vocabulary.Tokenize("The capital of France is");
        var greedy = new Generation.LlamaGenerationOptions { MaxTokens = 16, Sampling = Sampling.LlamaSamplingOptions.Greedy };
        Assert.True(new LlamaContextOptions().PersistentThreadPool);

        using var persistent = model.CreateContext(SharedModels.SmallContext with { Threads = 3, BatchThreads = 2 });
        using var perDecode = model.CreateContext(SharedModels.SmallContext with { Threads = 3, BatchThreads = 2, PersistentThreadPool = false });
        var withPool = await persistent.CompleteAsync(prompt, greedy, cancellationToken: ct);
        var withoutPool = await perDecode.CompleteAsync(prompt, greedy, cancellationToken: ct);

        Assert.Equal(withoutPool.Tokens, withPool.Tokens);
        Assert.True(withPool.Usage.GeneratedTokens > 0);
        Assert.Equal((3, 2), persistent.NativeThreads);
    }

    [Fact]
    public void ChatClientOptions_Default_NeverOversubscribeTheCores()
    {
        var options = new LlamaCpp.Chat.LlamaChatClientOptions();

        Assert.True(options.ShareThreadsAcrossContexts);
        Assert.True(options.MaxContexts <= Environment.ProcessorCount);
        Assert.Equal(Environment.ProcessorCount, options.Context.Threads);
    }

    /// <summary>One decode step: thread changes apply at the next decode.</summary>
    private static void Step(LlamaContext context, IReadOnlyList<LlamaToken> prompt, CancellationToken ct)
    {
        context.ClearSequence(LlamaSeqId.Zero);
        context.Evaluate(LlamaSeqId.Zero, prompt, ct);
    }
}
