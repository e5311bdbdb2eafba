using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;
using AgentKit.LlamaCpp.Tests.Engine;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>Greedy speculative decoding returns the plain loop's tokens, whatever drafts it and however many are accepted.</summary>
public sealed class GreedyExactnessTests
{
    public enum Drafter
    {
        PromptLookup,
        SameWeightsDraft,
        OtherWeightsDraft,
        LookupThenDraft,
    }

    [Theory]
    [InlineData(Drafter.PromptLookup)]
    [InlineData(Drafter.SameWeightsDraft)]
    [InlineData(Drafter.OtherWeightsDraft)]
    [InlineData(Drafter.LookupThenDraft)]
    public async Task Greedy_Speculative_IsTokenForTokenThePlainOutput(Drafter drafter)
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var target = model.CreateContext(SharedModels.SmallContext);
        using var draftContext = drafter == Drafter.PromptLookup ? null
            : (drafter == Drafter.OtherWeightsDraft ? await SpeculativeModels.OtherWeights : await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var plainOptions = new LlamaGenerationOptions { MaxTokens = 96, Sampling = LlamaSamplingOptions.Greedy, LogProbabilities = true };
        var speculation = new LlamaSpeculationOptions { PromptLookup = drafter is Drafter.PromptLookup or Drafter.LookupThenDraft, DraftContext = draftContext };

        var plain = await CollectAsync(target, prompt, plainOptions);
        target.Clear();
        var fast = await CollectAsync(target, prompt, plainOptions with { Speculation = speculation });

        Assert.Equal(plain.Tokens, fast.Tokens);
        Assert.Equal(plain.Text, fast.Text);
        Assert.Equal(plain.Finish, fast.Finish);
        Assert.Equal(plain.Usage.GeneratedTokens, fast.Usage.GeneratedTokens);
        Assert.Equal(plain.Usage.PromptTokens, fast.Usage.PromptTokens);
        Assert.Equal(plain.LogProbabilities.Count, fast.LogProbabilities.Count);
        for (var i = 0; i < plain.LogProbabilities.Count; i++)
        {
            Assert.Equal(plain.LogProbabilities[i], fast.LogProbabilities[i], 2);
        }

        Assert.True(fast.Usage.DraftTokens > 0, "something should have been drafted");
        Assert.InRange(fast.Usage.AcceptedDraftTokens, 0, fast.Usage.DraftTokens);
        if (drafter == Drafter.SameWeightsDraft)
        {
            // The draft is the target itself: every rejection would be a batch-versus-single numeric difference.
            Assert.Equal(fast.Usage.DraftTokens, fast.Usage.AcceptedDraftTokens);
        }

        // The KV cache holds what the plain loop leaves: prompt and every generated token but the last.
        Assert.Equal(prompt.Concat(fast.Tokens.SkipLast(1)).ToArray(), target.GetSequenceTokens(LlamaSeqId.Zero).ToArray());
    }

    [Fact]
    public async Task FixedDraftLength_DraftsMaxDraftTokensEveryRound_AndKeepsThePlainOutput()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var draft = (await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        // 1 token from the prompt's logits, then 4 rounds of 5 drafted + 1: exactly 25 tokens, the last round ending at the limit.
        var options = new LlamaGenerationOptions { MaxTokens = 25, Sampling = LlamaSamplingOptions.Greedy };
        var speculation = new LlamaSpeculationOptions { PromptLookup = false, DraftContext = draft, MaxDraftTokens = 5, AdaptiveDraftLength = false };

        var plain = await context.CompleteAsync(prompt, options);
        context.Clear();
        var fast = await context.CompleteAsync(prompt, options with { Speculation = speculation });

        Assert.Equal(plain.Tokens, fast.Tokens);
        Assert.Equal(25, fast.Tokens.Count);
        // The draft is the target itself, so every drafted token is accepted and each round drafts the full 5.
        Assert.Equal(20, fast.Usage.DraftTokens);
        Assert.Equal(20, fast.Usage.AcceptedDraftTokens);
    }

    [Fact]
    public async Task Greedy_Speculative_ReusesTheKvCacheOnTheNextTurn()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        var options = new LlamaGenerationOptions { MaxTokens = 20, Sampling = LlamaSamplingOptions.Greedy, Speculation = new LlamaSpeculationOptions { LookupMinNgram = 1 } };

        var first = await context.CompleteAsync(prompt, options);
        var next = prompt.Concat(first.Tokens).Concat(model.Vocabulary.Tokenize(" Then", addSpecial: false)).ToArray();
        var second = await context.CompleteAsync(next, options);

        Assert.Equal(prompt.Length + first.Tokens.Count - 1, second.Usage.ReusedPromptTokens);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(17)]
    public async Task MaxTokens_IsExact_WithSpeculation(int maxTokens)
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var draft = (await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var options = new LlamaGenerationOptions { MaxTokens = maxTokens, Sampling = LlamaSamplingOptions.Greedy };

        var plain = await context.CompleteAsync(prompt, options);
        context.Clear();
        var fast = await context.CompleteAsync(prompt, options with { Speculation = new LlamaSpeculationOptions { DraftContext = draft, MaxDraftTokens = 8 } });

        Assert.Equal(plain.Tokens, fast.Tokens);
        Assert.Equal(plain.FinishReason, fast.FinishReason);
        Assert.True(fast.Tokens.Count <= maxTokens);
    }

    [Fact]
    public async Task StopSequence_EndsAtTheSamePlace_WithSpeculation()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var draft = (await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var free = await context.CompleteAsync(prompt, new LlamaGenerationOptions { MaxTokens = 40, Sampling = LlamaSamplingOptions.Greedy });
        Assert.True(free.Text.Length >= 20, "the greedy continuation should be long enough to pick a stop string from");
        var stop = free.Text.Substring(free.Text.Length / 2, 3);
        var options = new LlamaGenerationOptions { MaxTokens = 40, Sampling = LlamaSamplingOptions.Greedy, StopSequences = [stop] };

        context.Clear();
        var plain = await context.CompleteAsync(prompt, options);
        context.Clear();
        var fast = await context.CompleteAsync(prompt, options with { Speculation = new LlamaSpeculationOptions { DraftContext = draft } });

        Assert.Equal(LlamaFinishReason.Stop, fast.FinishReason);
        Assert.Equal(plain.Text, fast.Text);
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], fast.Text);
        Assert.Equal(plain.Usage.GeneratedTokens, fast.Usage.GeneratedTokens);
    }

    [Fact]
    public async Task Cancellation_StopsASpeculativeGeneration_AndLeavesTheContextUsable()
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var draft = (await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var options = new LlamaGenerationOptions { MaxTokens = 200, Sampling = LlamaSamplingOptions.Greedy, Speculation = new LlamaSpeculationOptions { DraftContext = draft } };
        using var cts = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in context.GenerateAsync(prompt, options, cancellationToken: cts.Token))
            {
                if (++seen == 5)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.InRange(seen, 5, 6);
        var again = await context.CompleteAsync(prompt, options with { MaxTokens = 4 });
        Assert.Equal(4, again.Tokens.Count);
    }

    [Fact]
    public async Task DraftModel_WithAnotherVocabulary_IsRefusedWithATypedError()
    {
        var model = await SharedModels.Qwen2;
        var other = await SpeculativeModels.LlamaVocabulary;
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var draft = other.CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var options = new LlamaGenerationOptions { MaxTokens = 4, Speculation = new LlamaSpeculationOptions { DraftContext = draft } };

        var error = await Assert.ThrowsAsync<LlamaVocabularyMismatchException>(() => context.CompleteAsync(model.Vocabulary.Tokenize("Hello"), options));

        Assert.Contains(other.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("vocabulary", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 2, 4)]
    [InlineData(8, 0, 4)]
    [InlineData(8, 3, 2)]
    [InlineData(65, 2, 4)]
    public async Task InvalidSpeculationOptions_AreRejectedWithTheirName(int maxDraft, int minNgram, int maxNgram)
    {
        var model = await SharedModels.Qwen2;
        using var context = model.CreateContext(SharedModels.SmallContext);
        var options = new LlamaGenerationOptions { Speculation = new LlamaSpeculationOptions { MaxDraftTokens = maxDraft, LookupMinNgram = minNgram, LookupMaxNgram = maxNgram } };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => context.CompleteAsync(model.Vocabulary.Tokenize("Hello"), options));

        Assert.StartsWith("LlamaSpeculationOptions.", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<Collected> CollectAsync(LlamaContext context, IReadOnlyList<LlamaToken> prompt, LlamaGenerationOptions options)
    {
        var tokens = new List<LlamaToken>();
        var logProbabilities = new List<float>();
        var text = new System.Text.StringBuilder();
        LlamaGenerationUpdate last = default;
        await foreach (var update in context.GenerateAsync(prompt, options))
        {
            text.Append(update.Text);
            if (update.Token != LlamaToken.Null)
            {
                tokens.Add(update.Token);
                if (update.LogProbability is { } p)
                {
                    logProbabilities.Add(p);
                }
            }

            last = update;
        }

        return new Collected(tokens, text.ToString(), last.FinishReason, last.Usage, logProbabilities);
    }

    internal sealed record Collected(List<LlamaToken> Tokens, string Text, LlamaFinishReason? Finish, LlamaUsage Usage, List<float> LogProbabilities);
}
