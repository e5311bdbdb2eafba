using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;
using AgentKit.Memory;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Knowledge;
using AgentKit.Testing;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Graph.Tests;

/// <summary>Ingestion and memory writes feed the graph through <see cref="IGraphEvidenceSink"/>, incrementally.</summary>
public sealed class GraphFeedingTests : IDisposable
{
    private readonly GraphFixture _graph = new();
    private readonly string _documents = Directory.CreateTempSubdirectory("agentkit-graph-docs-").FullName;

    public void Dispose()
    {
        _graph.Dispose();
        Directory.Delete(_documents, recursive: true);
    }

    [Fact]
    public async Task KnowledgeBaseIngestion_ExtractsOnlyNewOrChangedChunks_AndRemovesDeletedFiles()
    {
        var ct = TestContext.Current.CancellationToken;
        Oracle("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        Oracle("Bob Stone leads Kappa Labs.", new OracleFact("Bob Stone", "person", "leads", "Kappa Labs", "organization"));
        Oracle("Bob Stone left Kappa Labs.", new OracleFact("Bob Stone", "person", "left", "Kappa Labs", "organization"));
        await File.WriteAllTextAsync(Path.Combine(_documents, "a.txt"), "Alice Moreau founded Zentrix.", ct);
        await File.WriteAllTextAsync(Path.Combine(_documents, "b.txt"), "Bob Stone leads Kappa Labs.", ct);
        using var vectors = new SqliteVectorStore(_graph.DatabasePath);
        using var knowledge = new KnowledgeBase("docs", new KnowledgeBaseOptions { Sources = [_documents], UseGraph = true }, vectors, Shared.Embedder,
            graphSink: _graph.Indexer, graphSource: _graph.Search);

        await knowledge.IngestAsync(cancellationToken: ct);
        Assert.Equal(2, _graph.Model.Client.CallCount);
        Assert.Equal(2, (await _graph.Store.FindEntitiesAsync(["alice moreau", "bob stone"], ct)).Count);

        await knowledge.IngestAsync(cancellationToken: ct);
        Assert.Equal(2, _graph.Model.Client.CallCount);

        await File.WriteAllTextAsync(Path.Combine(_documents, "b.txt"), "Bob Stone left Kappa Labs.", ct);
        await knowledge.IngestAsync(cancellationToken: ct);
        Assert.Equal(3, _graph.Model.Client.CallCount);
        var relations = await _graph.Store.GetRelationsAsync([.. (await _graph.Store.FindEntitiesAsync(["bob stone"], ct)).Select(e => e.Id)], 10, ct);
        Assert.Equal("left", Assert.Single(relations).Relation);

        File.Delete(Path.Combine(_documents, "a.txt"));
        var report = await knowledge.IngestAsync(cancellationToken: ct);
        Assert.Contains(report.Files, f => f.Status == FileIngestionStatus.Removed);
        Assert.Empty(await _graph.Store.FindEntitiesAsync(["alice moreau", "zentrix"], ct));
        Assert.Equal(3, _graph.Model.Client.CallCount);

        // Searches fuse the graph: the chunk about Bob Stone's company is found through the entity.
        var hits = await knowledge.SearchAsync("Who is Bob Stone?", cancellationToken: ct);
        Assert.Contains(hits, h => h.Text.Contains("Kappa Labs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KnowledgeBaseIngestion_AGraphFailure_DoesNotFailIngestion_AndIsRetriedNextRun()
    {
        var ct = TestContext.Current.CancellationToken;
        Oracle("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        await File.WriteAllTextAsync(Path.Combine(_documents, "a.txt"), "Alice Moreau founded Zentrix.", ct);
        using var vectors = new SqliteVectorStore(_graph.DatabasePath);
        var failing = new FailingOnceSink(_graph.Indexer);
        using var knowledge = new KnowledgeBase("docs", new KnowledgeBaseOptions { Sources = [_documents] }, vectors, Shared.Embedder, graphSink: failing);

        var first = await knowledge.IngestAsync(cancellationToken: ct);
        Assert.Equal(FileIngestionStatus.Added, Assert.Single(first.Files).Status);
        Assert.Empty(await _graph.Store.FindEntitiesAsync(["alice moreau"], ct));

        var second = await knowledge.IngestAsync(cancellationToken: ct);
        Assert.Equal(FileIngestionStatus.Unchanged, Assert.Single(second.Files).Status);
        Assert.Single(await _graph.Store.FindEntitiesAsync(["alice moreau"], ct));
    }

    [Fact]
    public async Task MemoryWrites_FeedTheGraph_AndForgetRemovesTheMemoryFromIt()
    {
        var ct = TestContext.Current.CancellationToken;
        Oracle("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        using var vectors = new SqliteVectorStore(_graph.DatabasePath);
        await using var memory = new AgentMemory(vectors, Shared.Embedder, new ScriptedChatClient(), Shared.Registry,
            new MemoryOptions { ReflectionThreshold = 0 }, graph: _graph.Search, graphSink: _graph.Indexer);
        var scope = new MemoryScope("a");

        var written = await memory.RememberAsync(scope, "Alice Moreau founded Zentrix.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 5, Reconcile = false }, ct);

        var id = written.Stored!.Id;
        Assert.Equal(1, _graph.Model.Client.CallCount);
        var evidence = Assert.Single(await _graph.Store.GetEvidenceAsync([id.ToString()], ct));
        Assert.Equal(GraphEvidenceKind.Memory, evidence.Kind);

        Assert.True(await memory.ForgetAsync(scope, id, ct));
        Assert.Empty(await _graph.Store.GetEvidenceAsync([id.ToString()], ct));
        Assert.Empty(await _graph.Store.FindEntitiesAsync(["alice moreau"], ct));
    }

    private void Oracle(string text, params OracleFact[] facts) => _graph.Model.Facts[text] = facts;

    // A graph whose first update fails as a store failure would.
    private sealed class FailingOnceSink(IGraphEvidenceSink inner) : IGraphEvidenceSink
    {
        private int _calls;

        public Task UpsertSourceAsync(string source, GraphEvidenceKind kind, IReadOnlyList<GraphEvidenceItem> items, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new GraphException("The graph file is locked.")
                : inner.UpsertSourceAsync(source, kind, items, cancellationToken);

        public Task DeleteSourceAsync(string source, CancellationToken cancellationToken = default) => inner.DeleteSourceAsync(source, cancellationToken);
    }
}
