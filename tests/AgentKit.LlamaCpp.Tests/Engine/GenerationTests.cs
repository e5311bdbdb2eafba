using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp.Tests.Engine;

public sealed class GenerationTests
{
    private static async Task<(LlamaModel Model, LlamaToken[] Prompt)> PromptAsync(string text = "The quick brown fox jumps over the lazy dog.")
    {
        var model = await SharedModels.Qwen2;
        return (model, model.Vocabulary.Tokenize(text));
    }

    [Fact]
    public async Task GenerateAsync_Greedy_IsDeterministicAndStopsAtMaxTokens()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        var options = new LlamaGenerationOptions { MaxTokens = 12, Sampling = LlamaSamplingOptions.Greedy };

        var first = await context.CompleteAsync(prompt, options);
        context.Clear();
        var second = await context.CompleteAsync(prompt, options);

        Assert.Equal(first.Tokens, second.Tokens);
        Assert.True(first.Tokens.Count <= 12);
        if (first.FinishReason == LlamaFinishReason.Length)
        {
            Assert.Equal(12, first.Tokens.Count);
        }

        Assert.Equal(prompt.Length, first.Usage.PromptTokens);
        Assert.Equal(first.Tokens.Count, first.Usage.GeneratedTokens);
    }

    [Fact]
    public async Task GenerateAsync_SameSeed_SameOutput_DifferentSeed_DifferentOutput()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        LlamaGenerationOptions Options(uint seed) => new() { MaxTokens = 24, Sampling = new LlamaSamplingOptions { Seed = seed, Temperature = 1.5f, TopK = 0, TopP = 1, MinP = 0 } };

        var a = await context.CompleteAsync(prompt, Options(7));
        var b = await context.CompleteAsync(prompt, Options(7));
        var c = await context.CompleteAsync(prompt, Options(8));

        Assert.Equal(a.Tokens, b.Tokens);
        Assert.NotEqual(a.Tokens, c.Tokens);
    }

    [Fact]
    public async Task GenerateAsync_SamePromptTwice_ReusesKvCache()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        var options = new LlamaGenerationOptions { MaxTokens = 4, Sampling = LlamaSamplingOptions.Greedy };

        var first = await context.CompleteAsync(prompt, options);
        var extended = prompt.Concat(model.Vocabulary.Tokenize(" And then", addSpecial: false)).ToArray();
        var second = await context.CompleteAsync(extended, options);

        Assert.Equal(0, first.Usage.ReusedPromptTokens);
        Assert.Equal(prompt.Length, second.Usage.ReusedPromptTokens);
    }

    [Fact]
    public async Task GenerateAsync_StopSequenceSpanningTokens_EndsBeforeIt()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        var free = await context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 40, Sampling = LlamaSamplingOptions.Greedy });
        Assert.True(free.Text.Length >= 6, "the greedy continuation should be long enough to pick a stop string from");

        // A stop string made of the end of one token and the start of the next.
        var pieces = free.Tokens.Select(t => model.Vocabulary.Detokenize([t])).ToArray();
        var boundary = Enumerable.Range(1, pieces.Length - 1).First(i => pieces[i - 1].Length > 0 && pieces[i].Length > 0);
        var offset = string.Concat(pieces.Take(boundary)).Length;
        var stop = free.Text.Substring(offset - 1, 2);
        var expected = free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = await context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 40, Sampling = LlamaSamplingOptions.Greedy, StopSequences = [stop] });

        Assert.Equal(LlamaFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(expected, stopped.Text);
    }

    [Fact]
    public async Task GenerateAsync_Cancelled_StopsBetweenTokens()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in context.GenerateAsync(prompt, new LlamaGenerationOptions { MaxTokens = 500, Sampling = LlamaSamplingOptions.Greedy }, cancellationToken: cts.Token))
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(3, seen);

        // The context stays usable.
        var after = await context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 2 });
        Assert.True(after.Usage.GeneratedTokens >= 1);
    }

    [Fact]
    public async Task GenerateAsync_PromptLongerThanContext_ThrowsOverflow()
    {
        var model = await SharedModels.Qwen2;
        using var context = model.CreateContext(new LlamaContextOptions { ContextSize = 64, BatchSize = 64, MicroBatchSize = 64 });
        var prompt = model.Vocabulary.Tokenize(string.Join(' ', Enumerable.Repeat("word", context.SequenceCapacity + 10)));

        var error = await Assert.ThrowsAsync<LlamaContextOverflowException>(async () =>
        {
            await foreach (var _ in context.GenerateAsync(prompt))
            {
            }
        });
        Assert.Equal(context.SequenceCapacity, error.Limit);
        Assert.Contains("ContextSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentUseOfOneContext_Throws()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        await using var running = context.GenerateAsync(prompt, new LlamaGenerationOptions { MaxTokens = 50 }).GetAsyncEnumerator();
        Assert.True(await running.MoveNextAsync());

        Assert.Throws<InvalidOperationException>(() => context.Evaluate(LlamaSeqId.Zero, prompt));
    }

    [Fact]
    public async Task TwoContexts_DecodeConcurrently()
    {
        var (model, prompt) = await PromptAsync();
        using var a = model.CreateContext(SharedModels.SmallContext with { Threads = 1, BatchThreads = 1 });
        using var b = model.CreateContext(SharedModels.SmallContext with { Threads = 1, BatchThreads = 1 });
        var options = new LlamaGenerationOptions { MaxTokens = 16, Sampling = LlamaSamplingOptions.Greedy };

        var results = await Task.WhenAll(Task.Run(() => a.CompleteAsync(prompt, options)), Task.Run(() => b.CompleteAsync(prompt, options)));

        Assert.Equal(results[0].Tokens, results[1].Tokens);
    }

    [Fact]
    public async Task Sampling_OutOfRange_ThrowsNamingTheOption()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.CompleteAsync(prompt, new LlamaGenerationOptions { Sampling = new LlamaSamplingOptions { TopP = 1.5f } }));
        Assert.Equal("TopP", error.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.CompleteAsync(prompt, new LlamaGenerationOptions
        {
            Sampling = new LlamaSamplingOptions { LogitBias = new Dictionary<LlamaToken, float> { [new LlamaToken(model.Vocabulary.Count + 5)] = 1f } },
        }));
    }

    [Fact]
    public async Task LogitBias_NegativeInfinity_ForbidsToken()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        var greedy = await context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 1, Sampling = LlamaSamplingOptions.Greedy });
        var banned = greedy.Tokens[0];

        var biased = await context.CompleteAsync(prompt, new LlamaGenerationOptions
        {
            MaxTokens = 1,
            Sampling = LlamaSamplingOptions.Greedy with { LogitBias = new Dictionary<LlamaToken, float> { [banned] = float.NegativeInfinity } },
        });

        Assert.NotEqual(banned, biased.Tokens[0]);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1.5f)]
    public async Task LogProbabilities_AreTheModelsOwnDistribution_WhateverTheSampling(float temperature)
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        var sampling = temperature == 0 ? LlamaSamplingOptions.Greedy : new LlamaSamplingOptions { Seed = 3, Temperature = temperature, TopK = 5 };
        var steps = new List<(LlamaToken Token, float LogProbability)>();
        await foreach (var update in context.GenerateAsync(prompt, new LlamaGenerationOptions { MaxTokens = 8, Sampling = sampling, LogProbabilities = true }, cancellationToken: TestContext.Current.CancellationToken))
        {
            if (update.Token != LlamaToken.Null)
            {
                steps.Add((update.Token, Assert.NotNull(update.LogProbability)));
            }
        }

        Assert.NotEmpty(steps);

        // Reference: a fresh context decodes the prompt plus the tokens before each step, and the log-softmax of its
        // last logits is computed here in double precision.
        using var reference = model.CreateContext(SharedModels.SmallContext);
        var sequence = prompt.ToList();
        double total = 0, expectedTotal = 0;
        foreach (var (token, logProbability) in steps)
        {
            reference.Clear();
            reference.Evaluate(LlamaSeqId.Zero, sequence, TestContext.Current.CancellationToken);
            var logits = reference.GetLogits(-1).ToArray();
            var max = logits.Max();
            var logSum = Math.Log(logits.Sum(l => Math.Exp(l - max))) + max;
            var expected = logits[token.Value] - logSum;
            Assert.Equal(expected, logProbability, 2);
            if (temperature == 0)
            {
                Assert.Equal(logits.Max(), logits[token.Value]);
            }

            total += logProbability;
            expectedTotal += expected;
            sequence.Add(token);
        }

        Assert.Equal(expectedTotal, total, 2);
    }

    [Fact]
    public async Task LogProbabilities_AreAbsentUnlessAsked()
    {
        var (model, prompt) = await PromptAsync();
        using var context = model.CreateContext(SharedModels.SmallContext);
        await foreach (var update in context.GenerateAsync(prompt, new LlamaGenerationOptions { MaxTokens = 3, Sampling = LlamaSamplingOptions.Greedy }, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Null(update.LogProbability);
        }
    }
}
