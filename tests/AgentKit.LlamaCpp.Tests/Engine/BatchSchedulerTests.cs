using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Grammars;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp.Tests.Engine;

/// <summary>Continuous batching (issue #18 §2): requests sharing one context's decode steps behave as if each ran alone.</summary>
public sealed class BatchSchedulerTests
{
    private static readonly string[] Prompts =
    [
        "Once upon a time",
        "The capital of France is",
        "def fibonacci(n):",
        "A long time ago in a galaxy far, far away, there was",
    ];

    private static LlamaGenerationOptions Greedy(int maxTokens) => new() { MaxTokens = maxTokens, Sampling = LlamaSamplingOptions.Greedy };

    /// <summary>Greedy, with every end-of-generation token banned, so that the stream runs to its token limit.</summary>
    private static LlamaGenerationOptions Endless(LlamaModel model, int maxTokens)
    {
        var banned = Enumerable.Range(0, model.Vocabulary.Count).Select(i => new LlamaToken(i)).Where(model.Vocabulary.IsEndOfGeneration)
            .ToDictionary(t => t, _ => float.NegativeInfinity);
        return new() { MaxTokens = maxTokens, Sampling = LlamaSamplingOptions.Greedy with { LogitBias = banned } };
    }

    private static LlamaBatchScheduler Scheduler(LlamaModel model, LlamaBatchingOptions? options = null) =>
        new(model, SharedModels.SmallContext, options ?? new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 2048 });

    private static async Task<string> AloneAsync(LlamaModel model, string prompt, LlamaGenerationOptions options)
    {
        using var context = model.CreateContext(SharedModels.SmallContext);
        return (await context.CompleteAsync(model.Vocabulary.Tokenize(prompt), options, cancellationToken: TestContext.Current.CancellationToken)).Text;
    }

    private static async Task<(string Text, LlamaGenerationUpdate Last)> RunAsync(LlamaBatchScheduler scheduler, string prompt, LlamaGenerationOptions options, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        LlamaGenerationUpdate last = default;
        await foreach (var update in scheduler.GenerateAsync(scheduler.Model.Vocabulary.Tokenize(prompt), options, cancellationToken))
        {
            text.Append(update.Text);
            last = update;
        }

        return (text.ToString(), last);
    }

    [Fact]
    public async Task ConcurrentGreedyRequests_EachEqualsItsOutputAlone()
    {
        var model = await SharedModels.Qwen2;
        var alone = new string[Prompts.Length];
        for (var i = 0; i < Prompts.Length; i++)
        {
            alone[i] = await AloneAsync(model, Prompts[i], Greedy(24));
        }

        using var scheduler = Scheduler(model);
        var batched = await Task.WhenAll(Prompts.Select(p => RunAsync(scheduler, p, Greedy(24))));

        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(alone[i], batched[i].Text);
            Assert.NotNull(batched[i].Last.FinishReason);
        }

        // Shared steps: fewer decode calls than tokens decoded one request at a time.
        var statistics = scheduler.Statistics;
        Assert.Equal(Prompts.Length, statistics.Requests);
        Assert.True(statistics.Steps < statistics.GeneratedTokens, $"{statistics.Steps} steps for {statistics.GeneratedTokens} tokens");
        Assert.Equal(0, scheduler.ActiveRequests);
    }

    [Fact]
    public async Task RequestsJoiningAndLeavingMidStream_EachEqualsItsOutputAlone()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var longOptions = Endless(model, 48);
        var expectedLong = await AloneAsync(model, Prompts[0], longOptions);
        var expectedShort = await AloneAsync(model, Prompts[1], Greedy(6));
        var expectedLate = await AloneAsync(model, Prompts[2], Greedy(10));

        using var scheduler = Scheduler(model);
        var text = new StringBuilder();
        Task<(string Text, LlamaGenerationUpdate Last)>? joined = null;
        Task<(string Text, LlamaGenerationUpdate Last)>? late = null;
        var tokens = 0;
        await foreach (var update in scheduler.GenerateAsync(model.Vocabulary.Tokenize(Prompts[0]), longOptions, ct))
        {
            text.Append(update.Text);
            tokens++;
            if (tokens == 3)
            {
                joined = RunAsync(scheduler, Prompts[1], Greedy(6), ct);
            }

            if (joined is { IsCompleted: true } && late is null)
            {
                // The short request left; another joins while the long one still streams.
                late = RunAsync(scheduler, Prompts[2], Greedy(10), ct);
            }
        }

        Assert.NotNull(joined);
        Assert.Equal(expectedLong, text.ToString());
        Assert.Equal(expectedShort, (await joined).Text);
        if (late is not null)
        {
            Assert.Equal(expectedLate, (await late).Text);
        }
    }

    [Fact]
    public async Task CancelledRequest_LeavesAtTheNextStepAndFreesItsSequence()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        using var scheduler = Scheduler(model, new LlamaBatchingOptions { MaxSequences = 1, ContextSize = 1024 });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in scheduler.GenerateAsync(model.Vocabulary.Tokenize(Prompts[0]), Greedy(10_000), cancel.Token))
            {
                if (++seen == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        // The only sequence is free again: the next request runs to its end.
        var (text, last) = await RunAsync(scheduler, Prompts[1], Greedy(5), ct);
        Assert.Equal(await AloneAsync(model, Prompts[1], Greedy(5)), text);
        Assert.NotNull(last.FinishReason);
        Assert.Equal(0, scheduler.ActiveRequests);
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task AbandonedEnumeration_FreesItsSequence()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        using var scheduler = Scheduler(model, new LlamaBatchingOptions { MaxSequences = 1, ContextSize = 1024 });
        await foreach (var update in scheduler.GenerateAsync(model.Vocabulary.Tokenize(Prompts[0]), Greedy(10_000), ct))
        {
            break;
        }

        var (_, last) = await RunAsync(scheduler, Prompts[1], Greedy(3), ct);
        Assert.NotNull(last.FinishReason);
    }

    [Fact]
    public async Task GrammarRequestBesideFreeText_FollowsItsGrammarWhileTheOtherIsUnchanged()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var free = Greedy(20);
        var json = new LlamaGenerationOptions { MaxTokens = 200, Sampling = new LlamaSamplingOptions { Seed = 7, Grammar = LlamaGrammar.Parse("root ::= \"{\\\"answer\\\": \" [0-9] [0-9]? \"}\"") } };
        var expectedFree = await AloneAsync(model, Prompts[1], free);

        using var scheduler = Scheduler(model);
        var results = await Task.WhenAll(RunAsync(scheduler, Prompts[1], free, ct), RunAsync(scheduler, Prompts[3], json, ct));

        Assert.Equal(expectedFree, results[0].Text);
        using var document = JsonDocument.Parse(results[1].Text);
        Assert.InRange(document.RootElement.GetProperty("answer").GetInt32(), 0, 99);
        Assert.Equal(LlamaFinishReason.Stop, results[1].Last.FinishReason);
    }

    [Fact]
    public async Task StopSequencesMaxTokensAndLogProbabilities_BehaveAsAlone()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var plain = await AloneAsync(model, Prompts[0], Greedy(16));
        var stop = plain.Length > 4 ? plain.Substring(plain.Length / 2, 2) : plain;
        var stopped = Greedy(16) with { StopSequences = [stop] };
        var expectedStopped = await AloneAsync(model, Prompts[0], stopped);

        using var scheduler = Scheduler(model);
        var withLogProbabilities = Greedy(7) with { LogProbabilities = true };
        var updates = new List<LlamaGenerationUpdate>();
        var collect = Task.Run(async () =>
        {
            await foreach (var update in scheduler.GenerateAsync(model.Vocabulary.Tokenize(Prompts[2]), withLogProbabilities, ct))
            {
                updates.Add(update);
            }
        }, ct);
        var (text, last) = await RunAsync(scheduler, Prompts[0], stopped, ct);
        await collect;

        Assert.Equal(expectedStopped, text);
        Assert.DoesNotContain(stop, text);
        Assert.Equal(LlamaFinishReason.Stop, last.FinishReason);
        var tokens = updates.Where(u => u.FinishReason is null).ToArray();
        Assert.InRange(tokens.Length, 1, 7);
        Assert.All(tokens, u => Assert.InRange(u.LogProbability!.Value, -50f, 0f));
        if (updates[^1].FinishReason == LlamaFinishReason.Length)
        {
            Assert.Equal(7, updates[^1].Usage.GeneratedTokens);
        }
    }

    [Fact]
    public async Task SharedPrefix_IsCopiedFromAnotherSequenceInsteadOfDecodedAgain()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        var system = string.Concat(Enumerable.Repeat("You are a careful assistant for the ShopBot store; answer briefly and cite the order. ", 4));
        using var scheduler = Scheduler(model);

        var first = await RunAsync(scheduler, system + "Where is order 17?", Greedy(4), ct);
        Assert.Equal(0, first.Last.Usage.ReusedPromptTokens);

        // Concurrent requests with the same system prompt: one reads it, the others copy it.
        var questions = new[] { "Refund order 9.", "Cancel order 12.", "Track order 3." };
        var results = await Task.WhenAll(questions.Select(q => RunAsync(scheduler, system + q, Greedy(4), ct)));
        var shared = model.Vocabulary.Tokenize(system).Length - 2;
        Assert.All(results, r => Assert.True(r.Last.Usage.ReusedPromptTokens >= shared, $"{r.Last.Usage.ReusedPromptTokens} reused of a {shared}-token shared prefix"));

        var statistics = scheduler.Statistics;
        var promptTokens = results.Sum(r => r.Last.Usage.PromptTokens) + first.Last.Usage.PromptTokens;
        Assert.True(statistics.PromptTokensDecoded < promptTokens - (2 * shared), $"decoded {statistics.PromptTokensDecoded} of {promptTokens}");
        Assert.True(statistics.PrefixCopies >= 2);
        Assert.Equal(promptTokens - statistics.PromptTokensDecoded, statistics.PromptTokensReused);

        // Greedy output with a copied prefix equals the output alone.
        Assert.Equal(await AloneAsync(model, system + questions[0], Greedy(4)), results[0].Text);
    }

    [Fact]
    public async Task FullQueue_RefusesWithBusyException()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        using var scheduler = Scheduler(model, new LlamaBatchingOptions { MaxSequences = 1, MaxQueuedRequests = 1, ContextSize = 1024 });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var prompt = model.Vocabulary.Tokenize(Prompts[0]);
        var running = scheduler.GenerateAsync(prompt, Greedy(10_000), cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await running.MoveNextAsync());
        var queued = scheduler.GenerateAsync(prompt, Greedy(2), cancel.Token).GetAsyncEnumerator(cancel.Token);
        var queuedFirst = queued.MoveNextAsync().AsTask();
        Assert.Equal(1, scheduler.QueuedRequests);

        var refused = await Assert.ThrowsAsync<LlamaBusyException>(async () =>
        {
            await foreach (var update in scheduler.GenerateAsync(prompt, Greedy(2), ct))
            {
            }
        });
        Assert.Contains("MaxQueuedRequests = 1", refused.Message);
        Assert.Equal(AgentKit.Abstractions.Models.ModelFailureKind.Busy, refused.Kind);

        // When the running request leaves, the queued one runs.
        await running.DisposeAsync();
        Assert.True(await queuedFirst);
        while (await queued.MoveNextAsync())
        {
        }

        await queued.DisposeAsync();
    }

    [Fact]
    public async Task ResentPrompt_DecodesOnlyItsLastTokenAgain()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        using var scheduler = Scheduler(model);
        var prompt = "You are the ShopBot assistant. Where is order 17?";
        var length = model.Vocabulary.Tokenize(prompt).Length;

        var first = await RunAsync(scheduler, prompt, Greedy(4), ct);
        var decodedBefore = scheduler.Statistics.PromptTokensDecoded;
        var again = await RunAsync(scheduler, prompt, Greedy(4), ct);

        Assert.Equal(length, decodedBefore);
        // The sequence kept the prompt; only its last token is decoded again, for fresh logits.
        Assert.Equal(1, scheduler.Statistics.PromptTokensDecoded - decodedBefore);
        Assert.Equal(length - 1, again.Last.Usage.ReusedPromptTokens);
        Assert.Equal(first.Text, again.Text);
    }

    [Fact]
    public async Task Statistics_CountEveryBatchedTokenAndSplitTheStepTime()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        using var scheduler = Scheduler(model);

        await Task.WhenAll(Prompts.Take(3).Select(p => RunAsync(scheduler, p, Endless(model, 8), ct)));

        var statistics = scheduler.Statistics;
        Assert.Equal(3 * 8, statistics.GeneratedTokens);
        // Each step's batch holds prompt chunks and the generated tokens fed back (all but each request's last).
        Assert.Equal(statistics.PromptTokensDecoded + statistics.GeneratedTokens - statistics.Requests, statistics.BatchedTokens);
        Assert.True(statistics.DecodeTime > TimeSpan.Zero);
        Assert.True(statistics.DecodeTime + statistics.SamplingTime <= statistics.StepTime, $"decode {statistics.DecodeTime} + sampling {statistics.SamplingTime} > step {statistics.StepTime}");
    }

    [Fact]
    public async Task LongPromptJoining_IsReadInChunksWhileEveryStreamAdvancesEachStep()
    {
        var model = await SharedModels.Qwen2;
        var ct = TestContext.Current.CancellationToken;
        using var scheduler = Scheduler(model, new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 2048, PrefillChunkTokens = 32 });
        var steps = new ConcurrentQueue<(int[] Generated, int[] Prefill)>();
        scheduler.StepObserver = (generated, prefill) => steps.Enqueue((generated, prefill));
        var streams = Prompts.Take(2).Select(p => RunAsync(scheduler, p, Endless(model, 60), ct)).ToArray();
        while (!steps.Any(s => s.Generated.Length == 2))
        {
            await Task.Delay(5, ct);
        }

        var before = steps.Count;

        var longPrompt = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 25));
        var reader = await RunAsync(scheduler, longPrompt, Greedy(2), ct);
        await Task.WhenAll(streams);

        var readingSteps = steps.Skip(before).Where(s => s.Prefill.Length > 0 && s.Generated.Length > 0).ToArray();
        Assert.True(readingSteps.Length >= 5, $"the long prompt was read in {readingSteps.Length} steps beside the streams");
        // Every stream that was generating got a token in every step that read the prompt.
        Assert.All(readingSteps, s => Assert.Equal(2, s.Generated.Length));
        Assert.NotNull(reader.Last.FinishReason);
    }

    [Fact]
    public async Task PromptTooLong_ThrowsOverflow()
    {
        var model = await SharedModels.Qwen2;
        using var scheduler = Scheduler(model, new LlamaBatchingOptions { MaxSequences = 2, ContextSize = 256 });
        var prompt = model.Vocabulary.Tokenize(string.Concat(Enumerable.Repeat("word ", scheduler.SequenceCapacity + 10)));
        await Assert.ThrowsAsync<LlamaContextOverflowException>(async () =>
        {
            await foreach (var update in scheduler.GenerateAsync(prompt, Greedy(2), TestContext.Current.CancellationToken))
            {
            }
        });
    }

    [Fact]
    public void Options_OutOfRange_NameTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaBatchingOptions { MaxSequences = 0 }.Validate());
        Assert.Contains("LlamaBatchingOptions.MaxSequences", error.Message);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new LlamaBatchingOptions { PrefillChunkTokens = 0 }.Validate());
        Assert.Contains("PrefillChunkTokens", error.Message);
    }
}
