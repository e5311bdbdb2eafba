using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;
using AgentKit.LlamaCpp.Tests.Engine;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>
/// Prompt lookup inside the batch scheduler: drafted tokens ride in the shared steps, and every request's output is
/// the one it gets without speculation, beside requests that do not speculate.
/// </summary>
public sealed class BatchedSpeculationTests
{
    private static readonly LlamaSpeculationOptions Lookup = new() { LookupMinNgram = 1 };

    private static LlamaBatchScheduler Scheduler(LlamaModel model) =>
        new(model, SharedModels.SmallContext, new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 2048 });

    private static async Task<Run> RunAsync(LlamaBatchScheduler scheduler, IReadOnlyList<LlamaToken> prompt, LlamaGenerationOptions options, CancellationToken cancellationToken)
    {
        var run = new Run();
        await foreach (var update in scheduler.GenerateAsync(prompt, options, cancellationToken))
        {
            run.Text += update.Text;
            run.Last = update;
            if (update.FinishReason is null)
            {
                run.Tokens.Add(update.Token);
                run.LogProbabilities.Add(update.LogProbability);
            }
        }

        return run;
    }

    [Fact]
    public async Task ConcurrentRequests_WithAndWithoutLookup_EachEqualsItsPlainOutput()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var repetitive = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        var other = model.Vocabulary.Tokenize("Item 7: blue cup. Item 8: blue cup. Item 9: blue");
        var free = model.Vocabulary.Tokenize("Once upon a time");
        var greedy = new LlamaGenerationOptions { MaxTokens = 64, Sampling = LlamaSamplingOptions.Greedy, LogProbabilities = true };
        var sampled = new LlamaGenerationOptions { MaxTokens = 48, Sampling = new LlamaSamplingOptions { Seed = 42, Temperature = 0.7f, TopK = 8, TopP = 1, MinP = 0 } };

        using var scheduler = Scheduler(model);
        // Plain first (one after the other, so the references do not depend on batching), then all four at once.
        var expected = new[]
        {
            await RunAsync(scheduler, repetitive, greedy, ct),
            await RunAsync(scheduler, other, greedy, ct),
            await RunAsync(scheduler, repetitive, sampled, ct),
            await RunAsync(scheduler, free, greedy, ct),
        };
        var before = scheduler.Statistics;
        var actual = await Task.WhenAll(
            RunAsync(scheduler, repetitive, greedy with { Speculation = Lookup }, ct),
            RunAsync(scheduler, other, greedy with { Speculation = Lookup }, ct),
            RunAsync(scheduler, repetitive, sampled with { Speculation = Lookup }, ct),
            RunAsync(scheduler, free, greedy, ct));

        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Tokens, actual[i].Tokens);
            Assert.Equal(expected[i].Text, actual[i].Text);
            Assert.Equal(expected[i].Last.FinishReason, actual[i].Last.FinishReason);
            Assert.Equal(expected[i].Last.Usage.GeneratedTokens, actual[i].Last.Usage.GeneratedTokens);
            Assert.Equal(expected[i].LogProbabilities.Count, actual[i].LogProbabilities.Count);
            for (var j = 0; j < expected[i].LogProbabilities.Count; j++)
            {
                // A draft's row is computed inside a batch of several tokens: equal to rounding, not to the bit.
                Assert.InRange(Math.Abs((expected[i].LogProbabilities[j] ?? 0) - (actual[i].LogProbabilities[j] ?? 0)), 0, 0.01);
            }
        }

        Assert.True(actual[0].Last.Usage.DraftTokens > 0, "the repetitive prompt should have drafts");
        Assert.True(actual[0].Last.Usage.AcceptedDraftTokens > 0, "greedy text that repeats its prompt should confirm some drafts");
        Assert.Equal(0, actual[3].Last.Usage.DraftTokens);
        var statistics = scheduler.Statistics;
        Assert.Equal(actual.Sum(r => (long)r.Last.Usage.DraftTokens), statistics.DraftTokens - before.DraftTokens);
        Assert.Equal(actual.Sum(r => (long)r.Last.Usage.AcceptedDraftTokens), statistics.AcceptedDraftTokens - before.AcceptedDraftTokens);
    }

    [Fact]
    public async Task EveryConfirmedDraft_SavesOneStep()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        var options = new LlamaGenerationOptions { MaxTokens = 64, Sampling = LlamaSamplingOptions.Greedy };

        using var scheduler = Scheduler(model);
        var steps0 = scheduler.Statistics.Steps;
        var plain = await RunAsync(scheduler, prompt, options, ct);
        var steps1 = scheduler.Statistics.Steps;
        // The prompt is cached now: both runs read it in one step (the second decodes only its last token).
        var fast = await RunAsync(scheduler, prompt, options with { Speculation = Lookup }, ct);
        var steps2 = scheduler.Statistics.Steps;

        Assert.Equal(plain.Tokens, fast.Tokens);
        Assert.True(fast.Last.Usage.AcceptedDraftTokens > 0);
        // Plain: one step for the prompt, then one per token but the last; each confirmed draft token takes none.
        Assert.Equal(1 + plain.Tokens.Count - 1, steps1 - steps0);
        Assert.Equal(steps1 - steps0 - fast.Last.Usage.AcceptedDraftTokens, steps2 - steps1);
    }

    [Fact]
    public async Task NextTurn_ReusesTheCacheThatSpeculationLeft_AndAnswersAsAlone()
    {
        // Rejected drafts must leave the KV cache: a follow-up whose prompt extends the first answer reuses that
        // sequence's cache, so stale draft cells would change its answer.
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var options = new LlamaGenerationOptions { MaxTokens = 40, Sampling = LlamaSamplingOptions.Greedy };
        using var scheduler = Scheduler(model);
        // The first of these prompts whose answer rejects a draft (random weights: which one is not known in advance).
        IReadOnlyList<LlamaToken> prompt = [];
        Run first = new();
        foreach (var text in new[] { "Item 7: blue cup. Item 8: blue cup. Item 9: blue", SpeculativeModels.RepetitivePrompt, "a b c a b d a b c a b", "Once upon a time" })
        {
            prompt = model.Vocabulary.Tokenize(text);
            first = await RunAsync(scheduler, prompt, options with { Speculation = Lookup }, ct);
            if (first.Last.Usage.DraftTokens > first.Last.Usage.AcceptedDraftTokens)
            {
                break;
            }
        }

        Assert.True(first.Last.Usage.DraftTokens > first.Last.Usage.AcceptedDraftTokens, "the test needs a rejected draft");
        var nextTurn = prompt.Concat(first.Tokens).Concat(model.Vocabulary.Tokenize(" And then")).ToArray();
        var again = await RunAsync(scheduler, nextTurn, options with { Speculation = Lookup }, ct);

        using var context = model.CreateContext(SharedModels.SmallContext);
        var alone = await context.CompleteAsync(nextTurn, options, cancellationToken: ct);
        Assert.True(again.Last.Usage.ReusedPromptTokens >= prompt.Count, $"reused {again.Last.Usage.ReusedPromptTokens} of {nextTurn.Length}");
        Assert.Equal(alone.Tokens, again.Tokens);
    }

    [Fact]
    public async Task DraftModelOptions_AreRefusedByTheScheduler_AndByTheChatClientWithBatching()
    {
        var model = await SharedModels.Qwen2;
        var draftModel = await SpeculativeModels.SameWeights;
        using var draft = draftModel.CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        using var scheduler = Scheduler(model);
        var options = new LlamaGenerationOptions { Speculation = new LlamaSpeculationOptions { DraftContext = draft } };

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in scheduler.GenerateAsync(model.Vocabulary.Tokenize("Hi"), options, TestContext.Current.CancellationToken))
            {
            }
        });
        Assert.Contains("prompt lookup only", error.Message, StringComparison.Ordinal);

        var clientError = Assert.Throws<ArgumentException>(() => new LlamaChatClient(model, new LlamaChatClientOptions { Context = SharedModels.SmallContext, Batching = new LlamaBatchingOptions { MaxSequences = 2, ContextSize = 2048 }, DraftModel = draftModel }));
        Assert.Contains("DraftModel needs Batching = null", clientError.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatClientWithBatching_SpeculatesByLookup_AndAnswersAsWithout(bool streaming)
    {
        var model = await SharedModels.Qwen2;
        var batching = new LlamaBatchingOptions { MaxSequences = 2, ContextSize = 2048 };
        using var plain = new LlamaChatClient(model, new LlamaChatClientOptions { Context = SharedModels.SmallContext, Batching = batching });
        using var fast = new LlamaChatClient(model, new LlamaChatClientOptions { Context = SharedModels.SmallContext, Batching = batching, Speculation = Lookup });
        var options = new ChatOptions { MaxOutputTokens = 48, Temperature = 0 };

        async Task<ChatResponse> AskAsync(IChatClient client) => streaming
            ? await client.GetStreamingResponseAsync(SpeculativeModels.RepetitivePrompt, options, TestContext.Current.CancellationToken).ToChatResponseAsync(TestContext.Current.CancellationToken)
            : await client.GetResponseAsync(SpeculativeModels.RepetitivePrompt, options, TestContext.Current.CancellationToken);

        var expected = await AskAsync(plain);
        var actual = await AskAsync(fast);

        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.FinishReason, actual.FinishReason);
        Assert.Equal(expected.Usage!.OutputTokenCount, actual.Usage!.OutputTokenCount);
        Assert.True(fast.BatchScheduler!.Statistics.DraftTokens > 0, "the client should have drafted inside the scheduler");
        Assert.Equal(0, plain.BatchScheduler!.Statistics.DraftTokens);
    }

    private sealed class Run
    {
        public string Text { get; set; } = "";

        public List<LlamaToken> Tokens { get; } = [];

        public List<float?> LogProbabilities { get; } = [];

        public LlamaGenerationUpdate Last { get; set; }
    }
}
