using AgentKit.Abstractions.Graph;

namespace AgentKit.Graph.Conformance;

/// <summary>
/// The behaviour every <see cref="IGraphStore"/> shares: what a write stores survives reopening; names and merged
/// aliases find their entity and merges are logged; contradicting relations are all kept with their evidence and time;
/// replacing or deleting evidence takes exactly its contribution away and the entities left without a mention; reads
/// are bounded by their limits; community reports are replaced whole; the bounds refuse a write, which then stores
/// nothing. A store's test project derives a class from this one and supplies <see cref="OpenStoreAsync"/>.
/// </summary>
public abstract class GraphStoreConformanceTests : IAsyncLifetime
{
    /// <summary>The time the test evidence was observed.</summary>
    protected static readonly DateTimeOffset Time = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<IGraphStore> _opened = [];

    /// <summary>Why the store cannot run here (for example, no server), or null to run the tests.</summary>
    protected virtual string? SkipReason => null;

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Opens a store on this test's storage with <paramref name="bounds"/> (whose location settings, such as the SQLite
    /// path, the derived class fills in): the first call on empty storage, each later call another instance on the same
    /// storage, as another process would open it.
    /// </summary>
    /// <param name="bounds">The bounds to enforce.</param>
    /// <returns>The store; disposed after the test when it is disposable.</returns>
    protected abstract ValueTask<IGraphStore> OpenStoreAsync(GraphStoreOptions bounds);

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _opened.ToList())
        {
            await CloseAsync(store);
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task AWrite_SurvivesReopening_WithEvidenceRelationsAndNameEmbeddings()
    {
        var first = await OpenAsync();
        await first.ReplaceEvidenceAsync(Evidence("c-1", "doc.md"), Pair("Alice", "Zentrix", "founded"), Ct);
        await CloseAsync(first);

        var store = await OpenAsync();
        Assert.Equal(new GraphStatistics(2, 1, 1, 0), await store.GetStatisticsAsync(Ct));
        Assert.Equal(["doc.md"], await store.GetSourcesAsync(Ct));
        Assert.Equal(new Dictionary<string, string> { ["c-1"] = "hash-c-1" }, await store.GetSourceHashesAsync("doc.md", Ct));
        var record = Assert.Single(await store.GetEvidenceAsync(["c-1", "missing"], Ct));
        Assert.Equal(Evidence("c-1", "doc.md"), record);
        var (alice, similarity) = Assert.Single(await store.NearestEntitiesAsync(Vector(1), 1, 0.99, Ct));
        Assert.Equal(("alice", "Alice", "thing", "Alice is a thing."), (alice.NormalizedName, alice.Name, alice.Type, alice.Description));
        Assert.Equal(1.0, similarity, 5);
        var relation = Assert.Single(await store.GetRelationsAsync([alice.Id], 10, Ct));
        var zentrix = Assert.Single(await store.FindEntitiesAsync(["zentrix"], Ct));
        Assert.Equal((alice.Id, "founded", zentrix.Id, "Alice founded Zentrix.", "c-1", Time), (relation.SourceId, relation.Relation, relation.TargetId, relation.Description, relation.EvidenceId, relation.ObservedAt));
    }

    [Fact]
    public async Task AMergedName_FindsItsEntity_AndTheMergeIsLogged()
    {
        var store = await OpenAsync();
        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alice Moreau", "Zentrix", "founded"), Ct);
        var alice = Assert.Single(await store.FindEntitiesAsync(["alice moreau"], Ct));

        var merged = new ResolvedExtraction(
            [
                new ResolvedEntity(alice.Id, "a moreau", "A. Moreau", "person", "A. Moreau runs Zentrix.", Vector(3), 0.93),
                Entity("Zentrix", 2),
            ],
            [new ResolvedRelation(0, "runs", 1, "A. Moreau runs Zentrix.")]);
        await store.ReplaceEvidenceAsync(Evidence("c-2", "b.md"), merged, Ct);

        Assert.Equal(alice.Id, Assert.Single(await store.FindEntitiesAsync(["a moreau"], Ct)).Id);
        Assert.Equal(2, (await store.FindEntitiesAsync(["a moreau", "alice moreau", "zentrix", "nobody"], Ct)).Count);
        var merge = Assert.Single(await store.GetMergesAsync(10, Ct));
        Assert.Equal((alice.Id, "A. Moreau", "Alice Moreau", 0.93, "c-2"), (merge.EntityId, merge.MergedName, merge.IntoName, merge.Similarity, merge.EvidenceId));
        Assert.Equal(new GraphStatistics(2, 2, 2, 1), await store.GetStatisticsAsync(Ct));
    }

    [Fact]
    public async Task ContradictingRelations_AreAllKept_WithTheirEvidenceAndTime()
    {
        var store = await OpenAsync();
        var later = Time.AddDays(30);
        await store.ReplaceEvidenceAsync(Evidence("c-1", "old.md"), Pair("Zentrix", "Lisbon", "headquartered_in"), Ct);
        await store.ReplaceEvidenceAsync(Evidence("c-2", "new.md") with { ObservedAt = later }, Pair("Zentrix", "Lisbon", "left"), Ct);

        var zentrix = Assert.Single(await store.FindEntitiesAsync(["zentrix"], Ct));
        var relations = (await store.GetRelationsAsync([zentrix.Id], 10, Ct)).OrderBy(r => r.ObservedAt).ToList();
        Assert.Equal([("headquartered_in", "c-1", Time), ("left", "c-2", later)], relations.Select(r => (r.Relation, r.EvidenceId, r.ObservedAt)));
        var edge = Assert.Single(await store.GetEdgeWeightsAsync(Ct));
        Assert.Equal(2, edge.Relations);
        Assert.True(edge.A < edge.B);
    }

    [Fact]
    public async Task ReplacingEvidence_ReplacesOnlyItsContribution_AndRemovesOrphans()
    {
        var store = await OpenAsync();
        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alice", "Zentrix", "founded"), Ct);
        await store.ReplaceEvidenceAsync(Evidence("c-2", "b.md"), new ResolvedExtraction(
            [Entity("Alice", 1, "Alice lives in Porto."), Entity("Porto", 3)], [new ResolvedRelation(0, "lives_in", 1, "Alice lives in Porto.")]), Ct);

        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md") with { ContentHash = "hash-2" }, ResolvedExtraction.Empty, Ct);

        Assert.Empty(await store.FindEntitiesAsync(["zentrix"], Ct));
        Assert.Empty(await store.NearestEntitiesAsync(Vector(2), 5, 0.99, Ct));
        var alice = Assert.Single(await store.FindEntitiesAsync(["alice"], Ct));
        Assert.Equal("Alice lives in Porto.", alice.Description);
        Assert.Equal(["c-2"], (await store.GetMentionsAsync([alice.Id], 10, Ct)).Select(m => m.EvidenceId));
        Assert.Equal(new GraphStatistics(2, 1, 2, 0), await store.GetStatisticsAsync(Ct));
        Assert.Equal("hash-2", (await store.GetSourceHashesAsync("a.md", Ct))["c-1"]);
    }

    [Fact]
    public async Task DeletingEvidence_RemovesItsRecordsAndTheEntitiesOnlyItMentioned()
    {
        var store = await OpenAsync();
        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alice", "Zentrix", "founded"), Ct);
        await store.ReplaceEvidenceAsync(Evidence("c-2", "b.md"), Pair("Alice", "Kappa", "advises"), Ct);

        Assert.Equal(1, await store.DeleteEvidenceAsync(["c-1", "c-1", "unknown"], Ct));
        Assert.Equal(0, await store.DeleteEvidenceAsync([], Ct));

        Assert.Equal(["b.md"], await store.GetSourcesAsync(Ct));
        Assert.Empty(await store.GetSourceHashesAsync("a.md", Ct));
        Assert.Equal(new GraphStatistics(2, 1, 1, 0), await store.GetStatisticsAsync(Ct));
        Assert.Equal(2, await store.DeleteEvidenceAsync(["c-2"], Ct));
        Assert.Equal(new GraphStatistics(0, 0, 0, 0), await store.GetStatisticsAsync(Ct));
        Assert.Empty(await store.NearestEntitiesAsync(Vector(1), 5, 0.5, Ct));
    }

    [Fact]
    public async Task Reads_StopAtTheirLimits()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.ReplaceEvidenceAsync(Evidence($"c-{i}", "hub.md"), new ResolvedExtraction(
                [Entity("Hub", 1), Entity($"Spoke {i}", 2 + i)],
                [new ResolvedRelation(0, "links", 1, $"Hub links spoke {i}."), new ResolvedRelation(1, "links", 0, $"Spoke {i} links hub.")]), Ct);
        }

        var hub = Assert.Single(await store.FindEntitiesAsync(["hub"], Ct));
        Assert.Equal(3, (await store.GetRelationsAsync([hub.Id], 3, Ct)).Count);
        Assert.Equal(10, (await store.GetRelationsAsync([hub.Id], 100, Ct)).Count);
        Assert.Empty(await store.GetRelationsAsync([hub.Id], 0, Ct));
        Assert.Equal(2, (await store.GetMentionsAsync([hub.Id], 2, Ct)).Count);
        Assert.Equal(["c-0", "c-1", "c-2", "c-3", "c-4"], (await store.GetMentionsAsync([hub.Id], 10, Ct)).Select(m => m.EvidenceId).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await store.NearestEntitiesAsync(Vector(1), 2, -1, Ct)).Count);

        var spoke0 = Assert.Single(await store.FindEntitiesAsync(["spoke 0"], Ct));
        var within = await store.GetRelationsWithinAsync([hub.Id, spoke0.Id], 10, Ct);
        Assert.Equal(2, within.Count);
        Assert.All(within, r => Assert.Equal("c-0", r.EvidenceId));
        Assert.Single(await store.GetRelationsWithinAsync([hub.Id, spoke0.Id], 1, Ct));
        var edges = await store.GetEdgeWeightsAsync(Ct);
        Assert.Equal(5, edges.Count);
        Assert.All(edges, e => Assert.Equal(2, e.Relations));
        Assert.Equal(edges.OrderBy(e => e.A).ThenBy(e => e.B), edges);
    }

    [Fact]
    public async Task CommunityReports_AreReplacedWhole_AndRoundTrip()
    {
        var store = await OpenAsync();
        var a = new GraphCommunity("a1", "Energy", "Solar firms.", 7, [1, 2], ["c-1", "c-2"], new float[] { 0.6f, 0.8f }, Time);
        var b = new GraphCommunity("b2", "Music", "Bands.", 3, [3], ["c-3"], new float[] { 1, 0 }, Time.AddHours(1));
        Assert.Equal(0, await store.ReplaceCommunitiesAsync([], [a, b], Ct));

        var read = await store.GetCommunitiesAsync(Ct);
        Assert.Equal(["a1", "b2"], read.Select(c => c.Id));
        Assert.Equal((a.Title, a.Summary, a.Rating, a.UpdatedAt), (read[0].Title, read[0].Summary, read[0].Rating, read[0].UpdatedAt));
        Assert.Equal([1L, 2L], read[0].Members);
        Assert.Equal(["c-1", "c-2"], read[0].Evidence);
        Assert.Equal([0.6f, 0.8f], read[0].Embedding.ToArray());

        var c = b with { Id = "c3", Title = "Sport" };
        Assert.Equal(1, await store.ReplaceCommunitiesAsync(["b2"], [c], Ct));
        Assert.Equal(["b2", "c3"], (await store.GetCommunitiesAsync(Ct)).Select(x => x.Id));
        Assert.Equal(2, await store.ReplaceCommunitiesAsync([], [], Ct));
        Assert.Empty(await store.GetCommunitiesAsync(Ct));
    }

    [Fact]
    public async Task AWritePastMaxEntities_ThrowsTheTypedLimit_AndStoresNothing()
    {
        var store = await OpenAsync(new GraphStoreOptions { MaxEntities = 3 });
        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alice", "Zentrix", "founded"), Ct);

        var error = await Assert.ThrowsAsync<GraphLimitExceededException>(() => store.ReplaceEvidenceAsync(Evidence("c-2", "b.md"), Pair("Bob", "Kappa", "founded"), Ct));

        Assert.Equal((nameof(GraphStoreOptions.MaxEntities), 3L), (error.Limit, error.Value));
        Assert.Equal(new GraphStatistics(2, 1, 1, 0), await store.GetStatisticsAsync(Ct));
        Assert.Empty(await store.FindEntitiesAsync(["bob"], Ct));
        Assert.Equal(["Alice"], (await store.NearestEntitiesAsync(Vector(1), 5, 0.99, Ct)).Select(n => n.Entity.Name));
    }

    [Fact]
    public async Task AWritePastMaxRelations_ThrowsTheTypedLimit_AndStoresNothing()
    {
        var store = await OpenAsync(new GraphStoreOptions { MaxRelations = 2 });
        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alice", "Zentrix", "founded"), Ct);
        var two = new ResolvedExtraction([Entity("Bob", 3), Entity("Kappa", 4)], [new ResolvedRelation(0, "founded", 1, "Bob founded Kappa."), new ResolvedRelation(1, "employs", 0, "Kappa employs Bob.")]);

        var error = await Assert.ThrowsAsync<GraphLimitExceededException>(() => store.ReplaceEvidenceAsync(Evidence("c-2", "b.md"), two, Ct));

        Assert.Equal(nameof(GraphStoreOptions.MaxRelations), error.Limit);
        Assert.Equal(new GraphStatistics(2, 1, 1, 0), await store.GetStatisticsAsync(Ct));

        // Replacing evidence frees its own relations first, so the same evidence may be rewritten at the bound.
        await store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), two, Ct);
        Assert.Equal(new GraphStatistics(2, 2, 1, 0), await store.GetStatisticsAsync(Ct));
    }

    [Fact]
    public async Task OverLongTexts_AndRelationsOutsideTheExtraction_AreRefusedByName()
    {
        var store = await OpenAsync(new GraphStoreOptions { MaxNameLength = 5 });

        var error = await Assert.ThrowsAsync<GraphLimitExceededException>(() => store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alexandra", "Zen", "knows"), Ct));
        Assert.Equal(nameof(GraphStoreOptions.MaxNameLength), error.Limit);
        Assert.Contains("'c-1'", error.Message, StringComparison.Ordinal);

        var outside = new ResolvedExtraction([Entity("Ann", 1)], [new ResolvedRelation(0, "knows", 4, "Ann knows someone.")]);
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => store.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), outside, Ct));
        Assert.Contains("points outside its 1 entities", bad.Message, StringComparison.Ordinal);
        Assert.Equal(new GraphStatistics(0, 0, 0, 0), await store.GetStatisticsAsync(Ct));
    }

    [Fact]
    public async Task AnotherInstance_OnTheSameStorage_ReadsWhatTheFirstWrote()
    {
        var writer = await OpenAsync();
        await writer.ReplaceEvidenceAsync(Evidence("c-1", "a.md"), Pair("Alice", "Zentrix", "founded"), Ct);
        var reader = await OpenAsync();
        Assert.Equal("Alice", Assert.Single(await reader.NearestEntitiesAsync(Vector(1), 1, 0.99, Ct)).Entity.Name);

        await writer.ReplaceEvidenceAsync(Evidence("c-2", "b.md"), Pair("Bob", "Kappa", "founded"), Ct);
        await reader.ReplaceEvidenceAsync(Evidence("c-3", "c.md"), Pair("Bob", "Lisbon", "lives_in"), Ct);

        var bob = Assert.Single(await writer.FindEntitiesAsync(["bob"], Ct));
        Assert.Equal(2, (await writer.GetRelationsAsync([bob.Id], 10, Ct)).Count);
        Assert.Equal(new GraphStatistics(5, 3, 3, 0), await reader.GetStatisticsAsync(Ct));
    }

    /// <summary>Opens a store with default bounds, disposed after the test.</summary>
    /// <returns>The store.</returns>
    protected ValueTask<IGraphStore> OpenAsync() => OpenAsync(new GraphStoreOptions());

    /// <summary>Opens a store with <paramref name="bounds"/>, disposed after the test.</summary>
    /// <param name="bounds">The bounds.</param>
    /// <returns>The store.</returns>
    protected async ValueTask<IGraphStore> OpenAsync(GraphStoreOptions bounds)
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        var store = await OpenStoreAsync(bounds);
        _opened.Add(store);
        return store;
    }

    /// <summary>Evidence of a test document.</summary>
    /// <param name="id">The chunk key.</param>
    /// <param name="source">The document.</param>
    /// <returns>The record.</returns>
    protected static GraphEvidenceRecord Evidence(string id, string source) => new(id, source, GraphEvidenceKind.Chunk, "hash-" + id, Time);

    /// <summary>Two new entities (name embeddings on axes 1 and 2) and one relation between them.</summary>
    /// <param name="a">The subject.</param>
    /// <param name="b">The object.</param>
    /// <param name="relation">The label.</param>
    /// <returns>The extraction.</returns>
    protected static ResolvedExtraction Pair(string a, string b, string relation) => new(
        [Entity(a, 1), Entity(b, 2)],
        [new ResolvedRelation(0, relation, 1, $"{a} {relation} {b}.")]);

    /// <summary>A new entity of type <c>thing</c> whose name embedding is the unit vector on <paramref name="axis"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="axis">The embedding's axis, 0 to 15.</param>
    /// <param name="description">Its description; "{name} is a thing." when null.</param>
    /// <returns>The entity.</returns>
    protected static ResolvedEntity Entity(string name, int axis, string? description = null) =>
        new(null, EntityNames.Normalize(name), name, "thing", description ?? name + " is a thing.", Vector(axis), null);

    /// <summary>The unit vector on one axis of 16.</summary>
    /// <param name="axis">The axis.</param>
    /// <returns>The vector.</returns>
    protected static float[] Vector(int axis)
    {
        var vector = new float[16];
        vector[axis] = 1;
        return vector;
    }

    private async ValueTask CloseAsync(IGraphStore store)
    {
        _opened.Remove(store);
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
