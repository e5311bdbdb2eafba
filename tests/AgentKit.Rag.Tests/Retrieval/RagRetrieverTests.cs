using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Search;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Retrieval;

/// <summary>Retrieval from the corpus ingested into the SQLite store.</summary>
public sealed class RagRetrieverTests : IAsyncLifetime
{
    private KnowledgeBase _kb = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _kb = await Corpus.CreateAsync(Token);

    public ValueTask DisposeAsync() => _kb.DisposeAsync();

    private RagRetriever Retriever(IRagReranker? reranker = null) => new(_kb.Collection, _kb.Embedder, reranker);

    private static string Name(RetrievedChunk chunk) => Path.GetFileName(chunk.Source);

    [Theory]
    [InlineData(RetrievalMode.Vector)]
    [InlineData(RetrievalMode.Keyword)]
    [InlineData(RetrievalMode.Hybrid)]
    public async Task Retrieve_EachMode_FindsTheChunkThatAnswers(RetrievalMode mode)
    {
        var results = await Retriever().RetrieveAsync("how do I prime the pump before the first start", new RetrievalOptions { Mode = mode, Top = 3 }, Token);

        Assert.Equal("pumps.md", Name(results[0]));
        Assert.Equal("Pumps > Priming", results[0].Section);
        Assert.True(results.Count <= 3);
        Assert.Equal(results.OrderByDescending(r => r.Score).Select(r => r.Id), results.Select(r => r.Id));
    }

    [Fact]
    public async Task Retrieve_Keyword_MatchesWholeWordsOnlyAndRanksRareWordsHigh()
    {
        var results = await Retriever().RetrieveAsync("zeolite", new RetrievalOptions { Mode = RetrievalMode.Keyword, Top = 5 }, Token);

        Assert.Equal("filters.md", Name(Assert.Single(results)));
        Assert.Empty(await Retriever().RetrieveAsync("zeol", new RetrievalOptions { Mode = RetrievalMode.Keyword }, Token));
    }

    [Theory]
    [InlineData("winter frost storage")]
    [InlineData("replace the clogged cartridge")]
    public async Task Retrieve_Hybrid_FusesTheVectorRankingWithTheKeywordModesOwnRanking(string query)
    {
        var vector = await Retriever().RetrieveAsync(query, new RetrievalOptions { Mode = RetrievalMode.Vector, Top = Fusion.HybridDepth }, Token);
        var keyword = await Retriever().RetrieveAsync(query, new RetrievalOptions { Mode = RetrievalMode.Keyword, Top = Fusion.HybridDepth }, Token);

        var hybrid = await Retriever().RetrieveAsync(query, new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 5 }, Token);

        var expected = Fusion.ZScore(vector, keyword, Fusion.KeywordWeight).Take(5).ToList();
        Assert.Equal(expected.Select(c => (c.Id, Math.Round(c.Score, 9))), hybrid.Select(c => (c.Id, Math.Round(c.Score, 9))));
        Assert.NotEmpty(keyword);
    }

    [Fact]
    public async Task Retrieve_HybridWithoutStoreHybridSearch_RanksTheSameAsWithIt()
    {
        var hidden = await new RagRetriever(new CapabilityHidingCollectionDouble(_kb.Collection, typeof(IKeywordHybridSearchable<RagChunkRecord>)), _kb.Embedder)
            .RetrieveAsync("winter frost storage", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 5 }, Token);

        var hybrid = await Retriever().RetrieveAsync("winter frost storage", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Top = 5 }, Token);

        Assert.Equal(hybrid.Select(c => c.Id), hidden.Select(c => c.Id));
        Assert.Equal("winter.md", Name(hybrid[0]));
    }

    [Fact]
    public async Task Retrieve_KeywordOnStoreWithoutKeywordSearch_RanksByTermReads()
    {
        var plain = new RagRetriever(new CapabilityHidingCollectionDouble(_kb.Collection, typeof(IKeywordSearchable<RagChunkRecord>)), _kb.Embedder);

        var results = await plain.RetrieveAsync("zeolite cartridge", new RetrievalOptions { Mode = RetrievalMode.Keyword, Top = 5 }, Token);

        Assert.Equal("filters.md", Name(results[0]));
        Assert.Equal(["filters-copy.md", "filters.md"], results.Select(Name).Order());
        Assert.Empty(await plain.RetrieveAsync("zeol", new RetrievalOptions { Mode = RetrievalMode.Keyword }, Token));
    }

    [Fact]
    public async Task Retrieve_HybridWithSourceFilter_FiltersBothRankingsInTheStore()
    {
        var source = Path.Combine(_kb.Folder.Root, "filters-copy.md");

        var results = await Retriever().RetrieveAsync("zeolite cartridge", new RetrievalOptions { Mode = RetrievalMode.Hybrid, Source = source }, Token);

        Assert.Equal(source, Assert.Single(results).Source);
    }

    [Fact]
    public async Task Retrieve_Mmr_SkipsTheNearDuplicate()
    {
        var plain = await Retriever().RetrieveAsync("replace the filter cartridge", new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 2 }, Token);
        var diverse = await Retriever().RetrieveAsync("replace the filter cartridge", new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 2, MmrLambda = 0.3 }, Token);

        Assert.Equal(["filters-copy.md", "filters.md"], plain.Select(Name).Order());
        Assert.Contains(diverse.Select(Name), n => n.StartsWith("filters", StringComparison.Ordinal));
        Assert.Contains(diverse.Select(Name), n => !n.StartsWith("filters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retrieve_Rerank_ReordersByTheRerankersScores()
    {
        var reranker = new ScriptedReranker(chunk => Name(chunk) == "warranty.md" ? 10 : 1);

        var results = await Retriever(reranker).RetrieveAsync("prime the pump", new RetrievalOptions { Top = 2, Rerank = true }, Token);

        Assert.Equal("warranty.md", Name(results[0]));
        Assert.Equal(10, results[0].Score);
        Assert.Equal(Corpus.Files.Length, reranker.LastCandidateCount); // 20 candidates asked for by default; the corpus has fewer chunks
    }

    [Fact]
    public async Task Retrieve_RerankWithoutReranker_Throws() =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => Retriever().RetrieveAsync("q", new RetrievalOptions { Rerank = true }, Token));

    [Fact]
    public async Task Retrieve_SourceFilter_KeepsOneFile()
    {
        var source = Path.Combine(_kb.Folder.Root, "warranty.md");

        var results = await Retriever().RetrieveAsync("replace the filter cartridge", new RetrievalOptions { Source = source, Mode = RetrievalMode.Hybrid }, Token);

        Assert.All(results, r => Assert.Equal(source, r.Source));
        Assert.NotEmpty(results);
    }

    [Fact]
    public async Task Citation_NamesFilePageAndSection()
    {
        var result = (await Retriever().RetrieveAsync("zeolite", new RetrievalOptions { Mode = RetrievalMode.Keyword }, Token))[0];

        Assert.Equal("filters.md, Filters > Cartridge", result.Citation);
        Assert.Equal("manual.pdf, p. 4, Setup", (result with { Source = "/x/manual.pdf", Page = 4, Section = "Setup" }).Citation);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(101, null)]
    [InlineData(5, 1.5)]
    public async Task Retrieve_OptionsOutOfRange_Throw(int top, double? lambda) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Retriever().RetrieveAsync("q", new RetrievalOptions { Top = top, MmrLambda = lambda }, Token));

    [Fact]
    public async Task Retrieve_EmbedsTheQuestionMarkedAsAQuery()
    {
        var recording = new KindRecordingEmbedder(_kb.Embedder);

        await new RagRetriever(_kb.Collection, recording).RetrieveAsync("how do I prime the pump", new RetrievalOptions { Mode = RetrievalMode.Vector }, Token);

        Assert.Equal([true], recording.Queries);
    }

    /// <summary>Wraps the real embedder and records whether each request was marked as a query.</summary>
    private sealed class KindRecordingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public List<bool> Queries { get; } = [];

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Queries.Add(EmbeddingInputKind.IsQuery(options));
            return base.GenerateAsync(values, options, cancellationToken);
        }
    }
}
