using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;
using AgentKit.Memory;
using AgentKit.Testing;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Graph.Tests;

public sealed class MemoryGraphReadTests : IDisposable
{
    private readonly GraphFixture _graph = new();

    public void Dispose() => _graph.Dispose();

    [Fact]
    public async Task Recall_WithTheGraph_AddsTheLinkedMemoryOfTheScope_AndNeverAnotherAgents()
    {
        var ct = TestContext.Current.CancellationToken;
        using var vectors = new SqliteVectorStore(_graph.DatabasePath);
        var founded = await RememberAsync(vectors, "a", "Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        var located = await RememberAsync(vectors, "a", "Zentrix is headquartered in Lisbon.", new OracleFact("Zentrix", "organization", "headquartered in", "Lisbon", "place"));
        var sold = await RememberAsync(vectors, "b", "Zentrix was sold to Kappa Labs.", new OracleFact("Zentrix", "organization", "sold to", "Kappa Labs", "organization"));
        const string Query = "Where is the company Alice Moreau founded headquartered?";

        await using var withGraph = new AgentMemory(vectors, Shared.Embedder, new ScriptedChatClient(), Shared.Registry, new MemoryOptions { CandidateCount = 1 }, graph: _graph.Search);
        await using var withoutGraph = new AgentMemory(vectors, Shared.Embedder, new ScriptedChatClient(), Shared.Registry, new MemoryOptions { CandidateCount = 1, UseGraph = false }, graph: _graph.Search);
        var linked = await withGraph.RecallAsync(new MemoryScope("a"), Query, new RecallOptions { UpdateLastAccessed = false }, ct);
        var plain = await withoutGraph.RecallAsync(new MemoryScope("a"), Query, new RecallOptions { UpdateLastAccessed = false }, ct);

        Assert.Equal(new[] { founded, located }.Order(), linked.Select(m => m.Record.Id).Order());
        Assert.DoesNotContain(linked, m => m.Record.Id == sold);
        Assert.Single(plain);
    }

    private async Task<Guid> RememberAsync(SqliteVectorStore vectors, string agent, string text, OracleFact fact)
    {
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid();
        var embedding = (await Shared.Embedder.GenerateAsync([text], cancellationToken: ct))[0].Vector;
        await using (var memory = new AgentMemory(vectors, Shared.Embedder, new ScriptedChatClient(), Shared.Registry))
        {
            await memory.ImportAsync([new MemoryRecord { Id = id, Text = text, AgentId = agent, Importance = 5, Embedding = embedding }], ct);
        }

        _graph.Model.Facts[text] = [fact];
        await _graph.Indexer.UpdateSourceAsync(id.ToString(), GraphEvidenceKind.Memory, [new GraphEvidenceItem(id.ToString(), text, DateTimeOffset.UtcNow)], ct);
        return id;
    }
}
