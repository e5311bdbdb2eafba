using AgentKit.Abstractions.Embeddings;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using static AgentKit.Rag.Tests.Support.Candidates;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Tests.Retrieval;

public sealed class RelevanceScorerRerankerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Score_IsTheFirstStagesZScorePlusWeightTimesTheScorersZScore()
    {
        // First stage 3, 2, 1 (z: √1.5, 0, −√1.5); scorer 0.1, 0.1, 0.4 (z: −√0.5, −√0.5, √2).
        var scorer = new ScriptedRelevanceScorer([0.1, 0.1, 0.4]);
        var reranker = new RelevanceScorerReranker(scorer, weight: 2);

        var scores = await reranker.ScoreAsync("q", [Chunk("a", 3), Chunk("b", 2), Chunk("c", 1)], Token);

        Assert.Equal(Math.Sqrt(1.5) - (2 * Math.Sqrt(0.5)), scores[0], 9);
        Assert.Equal(-2 * Math.Sqrt(0.5), scores[1], 9);
        Assert.Equal(-Math.Sqrt(1.5) + (2 * Math.Sqrt(2)), scores[2], 9);
    }

    [Fact]
    public async Task Score_WeightZero_KeepsTheFirstStageOrder_AndFlatScorerScoresChangeNothing()
    {
        var candidates = new[] { Chunk("a", 0.9), Chunk("b", 0.5), Chunk("c", 0.7) };

        var weightZero = await new RelevanceScorerReranker(new ScriptedRelevanceScorer([1, 5, 9]), weight: 0).ScoreAsync("q", candidates, Token);
        var flat = await new RelevanceScorerReranker(new ScriptedRelevanceScorer([0.3, 0.3, 0.3])).ScoreAsync("q", candidates, Token);

        Assert.Equal([0, 2, 1], Order(weightZero));
        Assert.Equal([0, 2, 1], Order(flat));
    }

    [Fact]
    public async Task Score_PassesHeadingPathAndTextToTheScorer()
    {
        var scorer = new ScriptedRelevanceScorer([1, 2]);

        await new RelevanceScorerReranker(scorer).ScoreAsync("prime", [Chunk("Fill it with water.", 1, "Pumps > Priming"), Chunk("No section.", 0)], Token);

        Assert.Equal("prime", scorer.LastQuery);
        Assert.Equal(["Pumps > Priming\nFill it with water.", "No section."], scorer.LastPassages);
    }

    [Fact]
    public async Task Score_NoCandidates_IsEmpty_WithoutCallingTheScorer()
    {
        var scorer = new ScriptedRelevanceScorer([]);

        Assert.Empty(await new RelevanceScorerReranker(scorer).ScoreAsync("q", [], Token));
        Assert.Null(scorer.LastQuery);
    }

    [Theory]
    [InlineData(new[] { 1.0 })]
    [InlineData(new[] { 1.0, double.NaN })]
    public async Task Score_AScorerThatBreaksItsContract_IsATypedError(double[] scores)
    {
        var reranker = new RelevanceScorerReranker(new ScriptedRelevanceScorer(scores));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => reranker.ScoreAsync("q", [Chunk("a", 1), Chunk("b", 0)], Token));
        Assert.Contains("for 2 candidates", error.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void Weight_OutOfRange_Throws(double weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RelevanceScorerReranker(new ScriptedRelevanceScorer([]), weight));

    [Fact]
    public async Task Retrieve_WithTheRealModelsScorer_PutsTheAnsweringChunkFirst()
    {
        await using var kb = await Corpus.CreateAsync(Token);
        using var model = new MiniLMEmbeddingGenerator();
        var retriever = kb.Retriever(new RelevanceScorerReranker(model.GetService<IRelevanceScorer>()!));

        var results = await retriever.RetrieveAsync("how often must the cartridge be changed", new RetrievalOptions { Top = 3, Rerank = true }, Token);

        Assert.StartsWith("filters", Path.GetFileName(results[0].Source), StringComparison.Ordinal);
        Assert.Equal(results.OrderByDescending(r => r.Score).Select(r => r.Id), results.Select(r => r.Id));
    }

    private static int[] Order(IReadOnlyList<double> scores) => [.. Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i])];

    /// <summary>Stands in for the scoring model, to test the fusion arithmetic: returns the scores it was given.</summary>
    private sealed class ScriptedRelevanceScorer(double[] scores) : IRelevanceScorer
    {
        public string? LastQuery { get; private set; }

        public IReadOnlyList<string> LastPassages { get; private set; } = [];

        public Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
        {
            LastQuery = query;
            LastPassages = [.. passages];
            return Task.FromResult<IReadOnlyList<double>>(scores);
        }
    }
}
