using AgentKit.Abstractions.Embeddings;
using AgentKit.Embeddings.MiniLM;
using Microsoft.Extensions.AI;

namespace AgentKit.Embeddings.Tests;

public sealed class MiniLMRelevanceScorerTests(MiniLMFixture fixture) : IClassFixture<MiniLMFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IRelevanceScorer Scorer => fixture.Generator.GetService<IRelevanceScorer>()!;

    [Fact]
    public void TheGenerator_OffersOneScorer()
    {
        var scorer = fixture.Generator.GetService<IRelevanceScorer>();

        Assert.IsType<MiniLMRelevanceScorer>(scorer);
        Assert.Same(scorer, fixture.Generator.GetService<IRelevanceScorer>());
    }

    [Fact]
    public void TheArcticModel_OffersNone()
    {
        // Trained through its [CLS] output only: its word-piece vectors re-ranked worse than no re-ranking.
        using var arctic = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Model = BuiltInEmbeddingModel.ArcticEmbedXs });

        Assert.Null(arctic.GetService<IRelevanceScorer>());
    }

    [Fact]
    public async Task Score_ThePassageThatAnswers_AboveOnesOnOtherMatters_AndTheQueryItselfAtOne()
    {
        const string query = "How do I reset my password?";
        var scores = await Scorer.ScoreAsync(query,
        [
            "The warranty covers manufacturing defects for two years from the date of purchase.",
            "To reset your password, open Settings, choose Security and press Reset password.",
            query,
            "Shipping takes three to five business days within the country.",
        ], Token);

        Assert.Equal(4, scores.Count);
        Assert.Equal(1.0, scores[2], 4);
        Assert.True(scores[1] > scores[0] && scores[1] > scores[3], string.Join(", ", scores));
        Assert.All(scores, s => Assert.InRange(s, -1.0, 1.0 + 1e-6));
    }

    [Fact]
    public async Task Score_ASharedTermRaisesThePassageThatHasIt()
    {
        // Two passages of one topic: only the second names what the query asks about.
        var scores = await Scorer.ScoreAsync("which port does the backup daemon listen on",
        [
            "The backup daemon starts at boot and writes its log to /var/log/backup.log.",
            "The backup daemon listens on TCP port 8700; change it with the --port option.",
        ], Token);

        Assert.True(scores[1] > scores[0], string.Join(", ", scores));
    }

    [Fact]
    public async Task Score_APassageLongerThanTheModelReads_IsScoredOnItsStart_EvenWithTruncationOff()
    {
        using var strict = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { TruncateLongInputs = false });
        var scorer = strict.GetService<IRelevanceScorer>()!;
        var longPassage = "Reset the router by holding its button for ten seconds. " + string.Join(' ', Enumerable.Repeat("filler", 600));

        var scores = await scorer.ScoreAsync("how to reset the router", [longPassage, "Bananas are yellow."], Token);

        Assert.True(scores[0] > scores[1]);
    }

    [Fact]
    public async Task Score_NoPassages_IsEmpty() =>
        Assert.Empty(await Scorer.ScoreAsync("anything", [], Token));

    [Fact]
    public async Task Score_BadInput_IsATypedErrorNamingIt()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Scorer.ScoreAsync(" ", ["a"], Token));
        var nullPassage = await Assert.ThrowsAsync<ArgumentException>(() => Scorer.ScoreAsync("q", ["a", null!], Token));
        Assert.Contains("Passage 1 is null", nullPassage.Message);

        using var small = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { MaxInputsPerRequest = 3 });
        var tooMany = await Assert.ThrowsAsync<ArgumentException>(() => small.GetService<IRelevanceScorer>()!.ScoreAsync("q", ["a", "b", "c"], Token));
        Assert.Contains("limit of 2", tooMany.Message);
        Assert.Contains("MaxInputsPerRequest", tooMany.Message);
    }

    [Fact]
    public async Task Score_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Scorer.ScoreAsync("q", ["a passage"], cancelled.Token));
    }

    [Fact]
    public async Task Score_AfterTheGeneratorIsDisposed_Throws()
    {
        var generator = new MiniLMEmbeddingGenerator();
        var scorer = generator.GetService<IRelevanceScorer>()!;
        await scorer.ScoreAsync("warm", ["up"], Token);
        generator.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => scorer.ScoreAsync("q", ["a passage"], Token));
    }
}
