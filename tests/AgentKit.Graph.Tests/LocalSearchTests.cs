using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Graph.Tests;

public sealed class LocalSearchTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GraphFixture _graph = new();

    public void Dispose() => _graph.Dispose();

    [Fact]
    public async Task GetContext_FollowsTheQuestionsPath_TwoHops_AndCitesBothDocuments()
    {
        await IndexAsync("founding", "Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        await IndexAsync("company", "Zentrix is headquartered in Lisbon.", new OracleFact("Zentrix", "organization", "headquartered in", "Lisbon", "place"));
        await IndexAsync("hobby", "Alice Moreau enjoys chess.", new OracleFact("Alice Moreau", "person", "enjoys", "chess", "concept"));

        var context = await _graph.Search.GetContextAsync(new GraphContextQuery { Question = "In which city is the company founded by Alice Moreau headquartered?", MaxEvidence = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal("Alice Moreau", context.Entities[0]);
        Assert.Equal(["founding", "company"], context.Evidence.Select(e => e.Id));
        Assert.Contains("Zentrix —headquartered in→ Lisbon", context.Text, StringComparison.Ordinal);
        Assert.Contains("[2]", context.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("chess", context.Text, StringComparison.Ordinal); // its evidence did not make the cut
    }

    [Fact]
    public async Task GetContext_StaysWithinTheTokenBudget_AndTheEvidenceKind()
    {
        await IndexAsync("founding", "Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));

        var tight = await _graph.Search.GetContextAsync(new GraphContextQuery { Question = "Who is Alice Moreau?", MaxTokens = 12 }, TestContext.Current.CancellationToken);
        var memories = await _graph.Search.GetContextAsync(new GraphContextQuery { Question = "Who is Alice Moreau?", EvidenceKind = GraphEvidenceKind.Memory }, TestContext.Current.CancellationToken);

        Assert.InRange(Shared.Embedder.GetService(typeof(AgentKit.Abstractions.Text.ITokenCounter)) is AgentKit.Abstractions.Text.ITokenCounter counter ? counter.CountTokens(tight.Text) : tight.Text.Length / 4, 0, 12);
        Assert.Empty(memories.Evidence);
    }

    [Fact]
    public async Task GetContext_ForAQuestionNamingNothingKnown_IsEmpty()
    {
        await IndexAsync("founding", "Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        var context = await _graph.Search.GetContextAsync(new GraphContextQuery { Question = "What is the boiling point of water?" }, TestContext.Current.CancellationToken);
        Assert.Empty(context.Evidence);
    }

    [Fact]
    public async Task RagRetriever_WithTheGraph_FindsTheSecondDocument_TheVectorRankingMisses()
    {
        var folder = Directory.CreateTempSubdirectory("agentkit-graph-rag-").FullName;
        try
        {
            var texts = new Dictionary<string, (string Text, OracleFact Fact)>
            {
                ["founding.txt"] = ("Alice Moreau founded Zentrix in 2011.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")),
                ["company.txt"] = ("Zentrix is headquartered in Lisbon.", new OracleFact("Zentrix", "organization", "headquartered in", "Lisbon", "place")),
                ["other.txt"] = ("Kappa Labs is headquartered in Porto.", new OracleFact("Kappa Labs", "organization", "headquartered in", "Porto", "place")),
                ["hobby.txt"] = ("Alice Moreau enjoys chess at weekends.", new OracleFact("Alice Moreau", "person", "enjoys", "chess", "concept")),
            };
            foreach (var (name, (text, fact)) in texts)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, name), text, TestContext.Current.CancellationToken);
                _graph.Model.Facts[text] = [fact];
            }

            using var vectors = new SqliteVectorStore(_graph.DatabasePath);
            var collection = await RagChunkStore.OpenAsync(vectors, "docs", Shared.Embedder, TestContext.Current.CancellationToken);
            await new RagIngestor(collection, Shared.Embedder).IngestDirectoryAsync(folder, cancellationToken: TestContext.Current.CancellationToken);
            var chunks = await collection.GetAsync(r => r.ChunkIndex >= 0, 100, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
            foreach (var chunk in chunks)
            {
                await _graph.Indexer.UpdateSourceAsync(chunk.Source, GraphEvidenceKind.Chunk, [new GraphEvidenceItem(chunk.Id.ToString(), chunk.Text, Time)], TestContext.Current.CancellationToken);
            }

            const string Question = "In which city is the company founded by Alice Moreau headquartered?";
            var options = new RetrievalOptions { Mode = RetrievalMode.Vector, Top = 2 };
            var vectorOnly = await new RagRetriever(collection, Shared.Embedder).RetrieveAsync(Question, options, TestContext.Current.CancellationToken);
            var withGraph = await new RagRetriever(collection, Shared.Embedder, graph: _graph.Search).RetrieveAsync(Question, options, TestContext.Current.CancellationToken);
            var graphOff = await new RagRetriever(collection, Shared.Embedder, graph: _graph.Search).RetrieveAsync(Question, options with { UseGraph = false }, TestContext.Current.CancellationToken);

            Assert.DoesNotContain(vectorOnly, c => c.Text.Contains("Lisbon", StringComparison.Ordinal));
            Assert.Contains(withGraph, c => c.Text.Contains("Lisbon", StringComparison.Ordinal));
            Assert.Equal(vectorOnly.Select(c => c.Id), graphOff.Select(c => c.Id));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Task IndexAsync(string id, string text, params OracleFact[] facts)
    {
        _graph.Model.Facts[text] = facts;
        return _graph.Indexer.UpdateSourceAsync(id + ".md", GraphEvidenceKind.Chunk, [new GraphEvidenceItem(id, text, Time)], TestContext.Current.CancellationToken);
    }
}
