using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;

namespace AgentKit.Graph.Tests;

public sealed class GraphIndexerTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GraphFixture _graph = new();

    public void Dispose() => _graph.Dispose();

    [Fact]
    public async Task UpdateSource_ExtractsEachChunkOnce_AndOnlyChangedChunksAgain()
    {
        var chunks = Chunks("Alice Moreau founded Zentrix.", "Zentrix is based in Lisbon.", "Bob Stone works for Zentrix.");
        Oracle(chunks[0].Text, new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        Oracle(chunks[1].Text, new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place"));
        Oracle(chunks[2].Text, new OracleFact("Bob Stone", "person", "works for", "Zentrix", "organization"));

        var first = await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, chunks, TestContext.Current.CancellationToken);
        Assert.Equal((3, 0), (first.Extracted, first.Unchanged));
        Assert.Equal(3, _graph.Model.Client.CallCount);

        var again = await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, chunks, TestContext.Current.CancellationToken);
        Assert.Equal((0, 3), (again.Extracted, again.Unchanged));
        Assert.Equal(3, _graph.Model.Client.CallCount);

        var changed = chunks.ToList();
        changed[1] = changed[1] with { Text = "Zentrix is based in Porto." };
        Oracle(changed[1].Text, new OracleFact("Zentrix", "organization", "based in", "Porto", "place"));
        var update = await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, changed, TestContext.Current.CancellationToken);
        Assert.Equal((1, 2), (update.Extracted, update.Unchanged));
        Assert.Equal(4, _graph.Model.Client.CallCount);

        // Lisbon was only supported by the replaced chunk, so it is gone; Porto took its place.
        var names = await _graph.Store.FindEntitiesAsync(["lisbon", "porto", "zentrix"], TestContext.Current.CancellationToken);
        Assert.Equal(["porto", "zentrix"], names.Select(e => e.NormalizedName).Order());
    }

    [Fact]
    public async Task RemoveSource_RemovesItsEvidence_AndEntitiesNoOtherSourceMentions()
    {
        var a = Chunks("Alice Moreau founded Zentrix.");
        var b = new List<GraphEvidenceItem> { new("b-0", "Zentrix is based in Lisbon.", Time) };
        Oracle(a[0].Text, new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        Oracle(b[0].Text, new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place"));
        await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, a, TestContext.Current.CancellationToken);
        await _graph.Indexer.UpdateSourceAsync("b.md", GraphEvidenceKind.Chunk, b, TestContext.Current.CancellationToken);

        var report = await _graph.Indexer.RemoveSourceAsync("a.md", TestContext.Current.CancellationToken);

        Assert.Equal((1, 1), (report.Removed, report.EntitiesRemoved));
        var statistics = await _graph.Store.GetStatisticsAsync(TestContext.Current.CancellationToken);
        Assert.Equal((2, 1, 1), (statistics.Entities, statistics.Relations, statistics.Evidence));
        Assert.Empty(await _graph.Store.FindEntitiesAsync(["alice moreau"], TestContext.Current.CancellationToken));
        Assert.Empty(await _graph.Store.GetSourceHashesAsync("a.md", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UpdateSource_KeepsContradictingRelations_WithTheirEvidenceAndTime()
    {
        var old = new GraphEvidenceItem("m-1", "Zentrix is based in Lisbon.", Time);
        var newer = new GraphEvidenceItem("m-2", "Zentrix moved to Porto.", Time.AddYears(1));
        Oracle(old.Text, new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place"));
        Oracle(newer.Text, new OracleFact("Zentrix", "organization", "based in", "Porto", "place"));
        await _graph.Indexer.UpdateSourceAsync("m-1", GraphEvidenceKind.Memory, [old], TestContext.Current.CancellationToken);
        await _graph.Indexer.UpdateSourceAsync("m-2", GraphEvidenceKind.Memory, [newer], TestContext.Current.CancellationToken);

        var zentrix = Assert.Single(await _graph.Store.FindEntitiesAsync(["zentrix"], TestContext.Current.CancellationToken));
        var relations = await _graph.Store.GetRelationsAsync([zentrix.Id], 10, TestContext.Current.CancellationToken);
        Assert.Equal([("m-1", Time), ("m-2", Time.AddYears(1))], relations.OrderBy(r => r.EvidenceId).Select(r => (r.EvidenceId, r.ObservedAt)));
    }

    [Fact]
    public async Task UpdateSource_WhenTheModelAnswerStaysInvalid_ReportsTheItem_AndRetriesItNextTime()
    {
        var chunks = Chunks("Alice Moreau founded Zentrix.");
        _graph.Model.RawAnswers[chunks[0].Text] = "not json";

        var failed = await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, chunks, TestContext.Current.CancellationToken);

        Assert.Equal("a-0", Assert.Single(failed.Failures).EvidenceId);
        Assert.Equal(2, _graph.Model.Client.CallCount); // the answer and the one corrective retry
        _graph.Model.RawAnswers.Clear();
        Oracle(chunks[0].Text, new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization"));
        var retried = await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, chunks, TestContext.Current.CancellationToken);
        Assert.Equal((1, 0), (retried.Extracted, retried.Failures.Count));
        Assert.Single(await _graph.Store.FindEntitiesAsync(["zentrix"], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UpdateSource_MergesANameVariant_ByEmbeddingSimilarity_AndLogsTheMerge()
    {
        var a = new GraphEvidenceItem("a-0", "Zentrix Solutions makes inverters.", Time);
        var b = new GraphEvidenceItem("b-0", "Zentrix Solution Ltd is in Lisbon.", Time);
        Oracle(a.Text, new OracleFact("Zentrix Solutions", "organization", "makes", "inverters", "product"));
        Oracle(b.Text, new OracleFact("Zentrix Solutions Ltd", "organization", "located in", "Lisbon", "place"));
        await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, [a], TestContext.Current.CancellationToken);
        await _graph.Indexer.UpdateSourceAsync("b.md", GraphEvidenceKind.Chunk, [b], TestContext.Current.CancellationToken);

        var merge = Assert.Single(await _graph.Store.GetMergesAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal(("Zentrix Solutions Ltd", "Zentrix Solutions", "b-0"), (merge.MergedName, merge.IntoName, merge.EvidenceId));
        Assert.InRange(merge.Similarity, 0.85, 1);
        var byAlias = Assert.Single(await _graph.Store.FindEntitiesAsync(["zentrix solutions ltd"], TestContext.Current.CancellationToken));
        Assert.Equal("Zentrix Solutions", byAlias.Name);
        Assert.Equal(3, (await _graph.Store.GetStatisticsAsync(TestContext.Current.CancellationToken)).Entities);
    }

    [Fact]
    public async Task UpdateSource_DoesNotMergeDifferentPlaces()
    {
        var a = new GraphEvidenceItem("a-0", "x", Time);
        var b = new GraphEvidenceItem("b-0", "y", Time);
        Oracle(a.Text, new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place"));
        Oracle(b.Text, new OracleFact("Kappa Labs", "organization", "based in", "Porto", "place"));
        await _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, [a], TestContext.Current.CancellationToken);
        await _graph.Indexer.UpdateSourceAsync("b.md", GraphEvidenceKind.Chunk, [b], TestContext.Current.CancellationToken);

        Assert.Empty(await _graph.Store.GetMergesAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal(4, (await _graph.Store.GetStatisticsAsync(TestContext.Current.CancellationToken)).Entities);
    }

    [Fact]
    public async Task UpdateSource_WithDuplicateIds_Throws()
    {
        var items = new List<GraphEvidenceItem> { new("x", "one", Time), new("x", "two", Time) };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _graph.Indexer.UpdateSourceAsync("a.md", GraphEvidenceKind.Chunk, items, TestContext.Current.CancellationToken));
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _graph.Model.Client.CallCount);
    }

    private static List<GraphEvidenceItem> Chunks(params string[] texts) =>
        [.. texts.Select((t, i) => new GraphEvidenceItem($"a-{i}", t, Time))];

    private void Oracle(string text, params OracleFact[] facts) => _graph.Model.Facts[text] = facts;
}
