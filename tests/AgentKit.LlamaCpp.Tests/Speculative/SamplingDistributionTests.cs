using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Sampling;
using AgentKit.LlamaCpp.Tests.Engine;

namespace AgentKit.LlamaCpp.Tests.Speculative;

/// <summary>
/// Under sampling, speculative decoding keeps the target's distribution: a drafted token is kept only when the target's
/// own draw at that position is that token (rejection sampling for a deterministic draft), so with a seed the output is
/// the plain loop's, and over many seeds the token frequencies match the plain loop's.
/// </summary>
public sealed class SamplingDistributionTests
{
    // z for a one-sided 0.999 quantile: the chi-square tests below fail a correct implementation with probability 0.001
    // for a random choice of seeds (the seeds are fixed, so the outcome is reproducible).
    private const double Z999 = 3.0902;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SameSeed_SampledOutput_IsThePlainLoops(bool draftModel)
    {
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        using var draft = draftModel ? (await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 }) : null;
        var options = new LlamaGenerationOptions { MaxTokens = 48, Sampling = new LlamaSamplingOptions { Seed = 42, Temperature = 0.7f, TopK = 8, TopP = 1, MinP = 0 } };

        var plain = await context.CompleteAsync(prompt, options);
        var fast = await context.CompleteAsync(prompt, options with { Speculation = new LlamaSpeculationOptions { PromptLookup = !draftModel, LookupMinNgram = 1, DraftContext = draft } });

        Assert.Equal(plain.Tokens, fast.Tokens);
        Assert.True(fast.Usage.DraftTokens > 0);
    }

    [Fact]
    public async Task TokenFrequencies_WithSpeculation_MatchThePlainLoops_ChiSquare()
    {
        const int Runs = 200;
        var model = await SharedModels.Qwen2;
        var prompt = model.Vocabulary.Tokenize(SpeculativeModels.RepetitivePrompt);
        using var context = model.CreateContext(SharedModels.SmallContext);
        // The draft is the target's own greedy choice, so a draft is accepted exactly when the draw is the most likely
        // token: with top-k 6 at temperature 1 that is a fraction of the draws, so both acceptance and rejection occur.
        using var draft = (await SpeculativeModels.SameWeights).CreateContext(SharedModels.SmallContext with { MaxSequences = 1 });
        var speculation = new LlamaSpeculationOptions { PromptLookup = false, DraftContext = draft };
        LlamaGenerationOptions Options(uint seed) => new() { MaxTokens = 3, Sampling = new LlamaSamplingOptions { Seed = seed, Temperature = 1, TopK = 6, TopP = 1, MinP = 0 } };

        var plain = new List<IReadOnlyList<LlamaToken>>();
        var fast = new List<IReadOnlyList<LlamaToken>>();
        int drafted = 0, accepted = 0;
        for (var i = 0; i < Runs; i++)
        {
            // Different seeds on the two sides: two independent samples of each distribution.
            plain.Add((await context.CompleteAsync(prompt, Options((uint)(1 + i)))).Tokens);
            var result = await context.CompleteAsync(prompt, Options((uint)(100_001 + i)) with { Speculation = speculation });
            fast.Add(result.Tokens);
            drafted += result.Usage.DraftTokens;
            accepted += result.Usage.AcceptedDraftTokens;
        }

        Assert.True(accepted > 0 && accepted < drafted, $"both outcomes of the rejection rule should occur ({accepted} of {drafted} drafts accepted)");
        // Position 1 is the first drafted-and-verified token; position 2 follows an accepted or a rejected draft.
        for (var position = 1; position <= 2; position++)
        {
            var a = plain.Where(t => t.Count > position).Select(t => t[position].Value).ToList();
            var b = fast.Where(t => t.Count > position).Select(t => t[position].Value).ToList();
            var (statistic, df) = TwoSampleChiSquare(a, b);
            var critical = df * Math.Pow(1 - (2.0 / (9 * df)) + (Z999 * Math.Sqrt(2.0 / (9 * df))), 3);
            Assert.True(statistic < critical, $"position {position}: chi-square {statistic:F1} with {df} degrees of freedom exceeds {critical:F1} (alpha 0.001)");
        }
    }

    /// <summary>Pearson's chi-square of a 2×K table; categories seen fewer than 10 times together are pooled.</summary>
    private static (double Statistic, int DegreesOfFreedom) TwoSampleChiSquare(List<int> a, List<int> b)
    {
        var counts = a.Concat(b).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        int Category(int token) => counts[token] >= 10 ? token : -1;
        var categories = counts.Keys.Select(Category).Distinct().ToList();
        double n1 = a.Count, n2 = b.Count, n = n1 + n2;
        var statistic = 0.0;
        foreach (var category in categories)
        {
            double o1 = a.Count(t => Category(t) == category), o2 = b.Count(t => Category(t) == category);
            double e1 = (o1 + o2) * n1 / n, e2 = (o1 + o2) * n2 / n;
            statistic += ((o1 - e1) * (o1 - e1) / e1) + ((o2 - e2) * (o2 - e2) / e2);
        }

        return (statistic, Math.Max(1, categories.Count - 1));
    }
}
