using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>The HNSW index: recall against exact search, and consistency with the table through updates and deletes.</summary>
public sealed class HnswTests : IDisposable
{
    private const int Dimensions = 32;
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Search_ClusteredData_RecallAtTenIsAtLeast95Percent()
    {
        var vectors = ClusteredVectors(6000, clusters: 30, seed: 1);
        using var store = new SqliteVectorStore(_database.Path);
        var approximate = await FillAsync(store, "approx", IndexKind.Hnsw, vectors);
        var exact = await FillAsync(store, "exact", IndexKind.Flat, vectors);
        var queries = ClusteredVectors(100, clusters: 30, seed: 2);

        var hits = 0;
        foreach (var query in queries)
        {
            var truth = (await exact.SearchAsync(query, 10).ToListAsync()).Select(r => r.Record.Id).ToHashSet();
            hits += (await approximate.SearchAsync(query, 10).ToListAsync()).Count(r => truth.Contains(r.Record.Id));
        }

        var recall = hits / (double)(queries.Count * 10);
        Assert.True(recall >= 0.95, $"recall@10 was {recall:F3}");
    }

    [Fact]
    public async Task UpsertAndDelete_AfterBuild_KeepTheIndexConsistent()
    {
        var vectors = ClusteredVectors(2000, clusters: 10, seed: 3);
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await FillAsync(store, "changing", IndexKind.Hnsw, vectors);
        await ((SqliteCollection<int, Item>)collection).WarmUpAsync();
        var moved = vectors[500].Select(v => -v).ToArray();

        await collection.DeleteAsync(Enumerable.Range(0, 100));
        await collection.UpsertAsync(new Item { Id = 500, Group = 0, Embedding = moved });

        var deletedQuery = await collection.SearchAsync(vectors[10], 5).ToListAsync();
        Assert.DoesNotContain(deletedQuery, r => r.Record.Id < 100);
        var movedResult = await collection.SearchAsync(moved, 1).SingleAsync();
        Assert.Equal(500, movedResult.Record.Id);
        Assert.Equal(1.0, movedResult.Score!.Value, 4);
        var oldPlace = await collection.SearchAsync(vectors[500], 3).ToListAsync();
        Assert.DoesNotContain(oldPlace, r => r.Record.Id == 500);
    }

    [Fact]
    public async Task Search_WithFilter_ReturnsOnlyMatchesThroughTheIndex()
    {
        var vectors = ClusteredVectors(3000, clusters: 10, seed: 4);
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await FillAsync(store, "filtered", IndexKind.Hnsw, vectors);

        var wide = await collection.SearchAsync(vectors[0], 10, new VectorSearchOptions<Item> { Filter = r => r.Group < 5 }).ToListAsync();
        var narrow = await collection.SearchAsync(vectors[0], 10, new VectorSearchOptions<Item> { Filter = r => r.Id == 2999 }).ToListAsync();

        Assert.Equal(10, wide.Count);
        Assert.All(wide, r => Assert.True(r.Record.Group < 5));
        Assert.Equal(2999, Assert.Single(narrow).Record.Id);
    }

    [Fact]
    public async Task Reopen_RestoresTheSavedGraph_WithoutRebuilding()
    {
        var vectors = ClusteredVectors(2000, clusters: 10, seed: 5);
        List<int> before;
        using (var first = new SqliteVectorStore(_database.Path))
        {
            var collection = (SqliteCollection<int, Item>)await FillAsync(first, "kept", IndexKind.Hnsw, vectors);
            await collection.WarmUpAsync();
            Assert.Equal((1, 0), Counters(collection));
            before = [.. (await collection.SearchAsync(vectors[3], 10).ToListAsync()).Select(r => r.Record.Id)];
        }

        using var second = new SqliteVectorStore(_database.Path);
        var reopened = (SqliteCollection<int, Item>)second.GetCollection<int, Item>("kept", Definition(IndexKind.Hnsw));
        var after = (await reopened.SearchAsync(vectors[3], 10).ToListAsync()).Select(r => r.Record.Id);

        Assert.Equal((0, 1), Counters(reopened));
        Assert.True(reopened.IndexStatistics().Single().UsesGraph);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Reopen_AfterUpdatesAndDeletes_RestoresTheGraphSavedOnDispose()
    {
        var vectors = ClusteredVectors(2000, clusters: 10, seed: 6);
        var moved = vectors[500].Select(v => -v).ToArray();
        using (var first = new SqliteVectorStore(_database.Path))
        {
            var collection = (SqliteCollection<int, Item>)await FillAsync(first, "changed", IndexKind.Hnsw, vectors);
            await collection.WarmUpAsync();
            await collection.DeleteAsync(Enumerable.Range(0, 100));
            await collection.UpsertAsync(new Item { Id = 500, Group = 0, Embedding = moved });
        }

        using var second = new SqliteVectorStore(_database.Path);
        var reopened = (SqliteCollection<int, Item>)second.GetCollection<int, Item>("changed", Definition(IndexKind.Hnsw));
        var nearDeleted = await reopened.SearchAsync(vectors[10], 5).ToListAsync();
        var movedResult = await reopened.SearchAsync(moved, 1).SingleAsync();

        Assert.Equal((0, 1), Counters(reopened));
        Assert.Equal(1900, reopened.IndexStatistics().Single().Count);
        Assert.DoesNotContain(nearDeleted, r => r.Record.Id < 100);
        Assert.Equal(500, movedResult.Record.Id);
        Assert.Equal(1.0, movedResult.Score!.Value, 4);
    }

    [Fact]
    public async Task WriteFromAnotherStore_MakesTheSavedGraphStale_SoItIsRebuilt()
    {
        var vectors = ClusteredVectors(2000, clusters: 10, seed: 7);
        using var first = new SqliteVectorStore(_database.Path);
        var collection = (SqliteCollection<int, Item>)await FillAsync(first, "shared", IndexKind.Hnsw, vectors);
        await collection.WarmUpAsync();
        var added = vectors[7].Select(v => v * 2).ToArray();
        using (var other = new SqliteVectorStore(_database.Path))
        {
            await other.GetCollection<int, Item>("shared", Definition(IndexKind.Hnsw)).UpsertAsync(new Item { Id = 5000, Group = 0, Embedding = added });
        }

        using var third = new SqliteVectorStore(_database.Path);
        var reopened = (SqliteCollection<int, Item>)third.GetCollection<int, Item>("shared", Definition(IndexKind.Hnsw));
        var found = await reopened.SearchAsync(added, 1, new VectorSearchOptions<Item> { Filter = r => r.Id == 5000 }).SingleAsync();
        await reopened.WarmUpAsync();
        var alsoSeenByTheFirst = await collection.SearchAsync(vectors[7], 3).ToListAsync();

        Assert.Equal(5000, found.Record.Id);
        Assert.Equal((1, 0), Counters(reopened));
        // The first store reloads at the new generation and restores the graph the third one built and saved.
        Assert.Equal((1, 1), Counters(collection));
        Assert.Contains(alsoSeenByTheFirst, r => r.Record.Id == 5000);
    }

    [Fact]
    public async Task Reopen_WithOtherHnswParameters_RebuildsTheGraph()
    {
        var vectors = ClusteredVectors(1500, clusters: 10, seed: 8);
        using (var first = new SqliteVectorStore(_database.Path))
        {
            await ((SqliteCollection<int, Item>)await FillAsync(first, "params", IndexKind.Hnsw, vectors)).WarmUpAsync();
        }

        using var second = new SqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { Hnsw = new HnswOptions { M = 8 } });
        var reopened = (SqliteCollection<int, Item>)second.GetCollection<int, Item>("params", Definition(IndexKind.Hnsw));
        await reopened.WarmUpAsync();

        Assert.Equal((1, 0), Counters(reopened));
    }

    [Fact]
    public async Task Search_RandomData_RecallAtTenMatchesExactSearch()
    {
        var random = new Random(12);
        var vectors = Enumerable.Range(0, 5000).Select(_ => RandomVector(random)).ToList();
        using var store = new SqliteVectorStore(_database.Path);
        var approximate = await FillAsync(store, "random", IndexKind.Hnsw, vectors);
        var exact = await FillAsync(store, "randomexact", IndexKind.Flat, vectors);

        var hits = 0;
        var queries = Enumerable.Range(0, 100).Select(_ => RandomVector(random)).ToList();
        foreach (var query in queries)
        {
            var truth = (await exact.SearchAsync(query, 10).ToListAsync()).Select(r => r.Record.Id).ToHashSet();
            hits += (await approximate.SearchAsync(query, 10).ToListAsync()).Count(r => truth.Contains(r.Record.Id));
        }

        var recall = hits / (double)(queries.Count * 10);
        Assert.True(recall >= 0.95, $"recall@10 was {recall:F3}");
    }

    [Theory]
    [InlineData(DistanceFunction.CosineSimilarity)]
    [InlineData(DistanceFunction.EuclideanDistance)]
    [InlineData(DistanceFunction.DotProductSimilarity)]
    [InlineData(DistanceFunction.ManhattanDistance)]
    public async Task Search_FiftyIdenticalVectors_TopFiftyReturnsAll_AlsoAfterDeleteAndReinsertRounds(string distance)
    {
        const int Count = 50;
        var same = RandomVector(new Random(13));
        using var store = new SqliteVectorStore(_database.Path);
        var collection = store.GetCollection<int, Item>("identical", Definition(IndexKind.Hnsw, distance));
        await collection.EnsureCollectionExistsAsync();

        for (var round = 0; round < 5; round++)
        {
            var ids = Enumerable.Range(round * Count, Count).ToList();
            await collection.UpsertAsync(ids.Select(id => new Item { Id = id, Embedding = same.ToArray() }));

            var found = await collection.SearchAsync(same, Count).ToListAsync();

            Assert.Equal(ids, found.Select(r => r.Record.Id).Order());
            await collection.DeleteAsync(ids);
        }
    }

    [Fact]
    public async Task Search_IdenticalVectorsAmongDistinctOnes_FindsEveryCopy_AndTheirNeighbours()
    {
        const int Copies = 50;
        var vectors = ClusteredVectors(1500, clusters: 10, seed: 14);
        var same = vectors[0].ToArray();
        vectors.AddRange(Enumerable.Range(0, Copies).Select(_ => same.ToArray()));
        using var store = new SqliteVectorStore(_database.Path);
        var approximate = await FillAsync(store, "mixed", IndexKind.Hnsw, vectors);
        var exact = await FillAsync(store, "mixedexact", IndexKind.Flat, vectors);

        for (var round = 0; round < 3; round++)
        {
            var copies = await approximate.SearchAsync(same, Copies + 1).ToListAsync();
            var beyond = await approximate.SearchAsync(same, Copies + 11).ToListAsync();
            var truth = await exact.SearchAsync(same, Copies + 11).ToListAsync();

            Assert.Equal(Copies + 1, copies.Count(r => r.Score > 0.9999));
            Assert.Equal(truth.Select(r => r.Record.Id).Order(), beyond.Select(r => r.Record.Id).Order());

            // Every copy deleted and stored again under new keys, in both collections.
            var ids = copies.Select(r => r.Record.Id).ToList();
            var renewed = ids.Select(id => new Item { Id = id + 10_000, Group = 0, Embedding = same.ToArray() }).ToList();
            foreach (var collection in new[] { approximate, exact })
            {
                await collection.DeleteAsync(ids);
                await collection.UpsertAsync(renewed);
            }
        }
    }

    [Fact]
    public async Task Search_DuplicateClustersAndNearDuplicates_LoseNoRecordAndKeepRecall()
    {
        const int Copies = 40;
        var vectors = ClusteredVectors(3000, clusters: 30, seed: 9);
        var random = new Random(10);
        var duplicated = Enumerable.Range(0, 20).Select(_ => RandomVector(random)).ToList();
        foreach (var vector in duplicated)
        {
            vectors.AddRange(Enumerable.Range(0, Copies).Select(_ => vector.ToArray()));
        }

        // Near-duplicates: copies of random records moved by 1e-5 per dimension.
        vectors.AddRange(Enumerable.Range(0, 300).Select(i => vectors[i * 7].Select(v => v + (float)(((random.NextDouble() * 2) - 1) * 1e-5)).ToArray()));
        using var store = new SqliteVectorStore(_database.Path);
        var approximate = await FillAsync(store, "duplicates", IndexKind.Hnsw, vectors);
        var exact = await FillAsync(store, "duplicatesexact", IndexKind.Flat, vectors);

        await AssertEveryCopyFound();
        var hits = 0;
        var queries = ClusteredVectors(100, clusters: 30, seed: 11);
        foreach (var query in queries)
        {
            var truth = (await exact.SearchAsync(query, 10).ToListAsync()).Select(r => r.Record.Id).ToHashSet();
            hits += (await approximate.SearchAsync(query, 10).ToListAsync()).Count(r => truth.Contains(r.Record.Id));
        }

        Assert.True(hits >= 0.95 * queries.Count * 10, $"recall@10 was {hits / (queries.Count * 10.0):F3}");

        // Half of each cluster deleted and stored again under new keys: the dead copies stay in the graph.
        var reinserted = new List<Item>();
        for (var c = 0; c < duplicated.Count; c++)
        {
            var first = 3000 + (c * Copies);
            await approximate.DeleteAsync(Enumerable.Range(first, Copies / 2));
            reinserted.AddRange(Enumerable.Range(first, Copies / 2).Select(id => new Item { Id = id + 100_000, Group = 0, Embedding = duplicated[c].ToArray() }));
        }

        await approximate.UpsertAsync(reinserted);
        await AssertEveryCopyFound();

        async Task AssertEveryCopyFound()
        {
            for (var c = 0; c < duplicated.Count; c++)
            {
                var found = await approximate.SearchAsync(duplicated[c], Copies).ToListAsync();
                Assert.True(found.All(r => r.Score > 0.9999), $"cluster {c}: {found.Count(r => r.Score <= 0.9999)} of the {Copies} nearest are not copies");
                Assert.Equal(Copies, found.Select(r => r.Record.Id).Distinct().Count());
            }
        }
    }

    [Fact]
    public async Task Reopen_GraphWithDuplicates_StillFindsEveryCopyAfterMoreInserts()
    {
        const int Copies = 60;
        float[] same = [.. Enumerable.Range(0, Dimensions).Select(i => (float)Math.Sin(i))];
        using (var first = new SqliteVectorStore(_database.Path))
        {
            var collection = (SqliteCollection<int, Item>)await FillAsync(first, "restored", IndexKind.Hnsw, [.. Enumerable.Range(0, Copies).Select(_ => same.ToArray())]);
            await collection.WarmUpAsync();
        }

        using var second = new SqliteVectorStore(_database.Path);
        var reopened = (SqliteCollection<int, Item>)second.GetCollection<int, Item>("restored", Definition(IndexKind.Hnsw));
        await reopened.WarmUpAsync();
        await reopened.UpsertAsync(Enumerable.Range(Copies, Copies).Select(id => new Item { Id = id, Embedding = same.ToArray() }));

        var found = await reopened.SearchAsync(same, 2 * Copies).ToListAsync();

        Assert.Equal((0, 1), Counters(reopened));
        Assert.Equal(Enumerable.Range(0, 2 * Copies), found.Select(r => r.Record.Id).Order());
    }

    private static (int Builds, int Restores) Counters(SqliteCollection<int, Item> collection)
    {
        var statistics = collection.IndexStatistics().Single();
        return (statistics.GraphBuilds, statistics.GraphRestores);
    }

    public void Dispose() => _database.Dispose();

    private static float[] RandomVector(Random random) => [.. Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    internal static List<float[]> ClusteredVectors(int count, int clusters, int seed)
    {
        var centres = new Random(1234);
        var centroids = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, Dimensions).Select(_ => (float)((centres.NextDouble() * 2) - 1)).ToArray()).ToList();
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => centroids[i % clusters].Select(c => c + (float)(((random.NextDouble() * 2) - 1) * 0.3)).ToArray())];
    }

    private static VectorStoreCollectionDefinition Definition(string indexKind, string distance = DistanceFunction.CosineSimilarity) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Item.Id), typeof(int)),
            new VectorStoreDataProperty(nameof(Item.Group), typeof(int)) { IsIndexed = true },
            new VectorStoreVectorProperty(nameof(Item.Embedding), typeof(ReadOnlyMemory<float>), Dimensions) { IndexKind = indexKind, DistanceFunction = distance },
        ],
    };

    private static async Task<VectorStoreCollection<int, Item>> FillAsync(SqliteVectorStore store, string name, string indexKind, List<float[]> vectors)
    {
        var collection = store.GetCollection<int, Item>(name, Definition(indexKind));
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(vectors.Select((v, i) => new Item { Id = i, Group = i % 10, Embedding = v }));
        return collection;
    }

    /// <summary>A test record.</summary>
    public sealed class Item
    {
        public int Id { get; set; }

        public int Group { get; set; }

        public ReadOnlyMemory<float> Embedding { get; set; }
    }
}
