using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>
/// Exact search over the in-memory cache against a brute-force reference: large enough for the parallel chunked
/// scan, with dead slots, every ranking kernel, and filters (fresh, repeated, changed by writes in between).
/// </summary>
public sealed class ExactSearchTests : IDisposable
{
    private const int Dimensions = 384;
    private const int Count = 6000;
    private readonly TempDatabase _database = new();

    [Theory]
    [InlineData(DistanceFunction.CosineSimilarity)]
    [InlineData(DistanceFunction.DotProductSimilarity)]
    [InlineData(DistanceFunction.EuclideanDistance)]
    [InlineData(DistanceFunction.ManhattanDistance)]
    public async Task Search_LargeCollectionWithDeletes_MatchesBruteForce(string distance)
    {
        var vectors = RandomVectors(Count, seed: 5);
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await FillAsync(store, "large", distance, vectors);
        var deleted = Enumerable.Range(0, Count).Where(i => i % 7 == 0).ToList();
        await collection.DeleteAsync(deleted);
        var live = Enumerable.Range(0, Count).Where(i => i % 7 != 0).ToList();

        foreach (var query in RandomVectors(5, seed: 6))
        {
            var results = await collection.SearchAsync(query, 10).ToListAsync();

            Assert.Equal(BruteForce(vectors, live, query, distance, 10), results.Select(r => r.Record.Id));
        }
    }

    [Fact]
    public async Task Search_BroadAndNarrowFilters_MatchBruteForceOverTheMatches()
    {
        var vectors = RandomVectors(Count, seed: 7);
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await FillAsync(store, "filtered", DistanceFunction.CosineSimilarity, vectors);
        var query = RandomVectors(1, seed: 8)[0];

        var half = await collection.SearchAsync(query, 10, new() { Filter = r => r.Group < 5 }).ToListAsync();
        var tenth = await collection.SearchAsync(query, 10, new() { Filter = r => r.Group == 3 }).ToListAsync();
        var none = await collection.SearchAsync(query, 10, new() { Filter = r => r.Group > 100 }).ToListAsync();

        var all = Enumerable.Range(0, Count).ToList();
        Assert.Equal(BruteForce(vectors, [.. all.Where(i => i % 10 < 5)], query, DistanceFunction.CosineSimilarity, 10), half.Select(r => r.Record.Id));
        Assert.Equal(BruteForce(vectors, [.. all.Where(i => i % 10 == 3)], query, DistanceFunction.CosineSimilarity, 10), tenth.Select(r => r.Record.Id));
        Assert.Empty(none);
    }

    [Fact]
    public async Task Search_RepeatedFilter_SeesWritesMadeInBetween()
    {
        var vectors = RandomVectors(200, seed: 9);
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await FillAsync(store, "repeat", DistanceFunction.CosineSimilarity, vectors);
        var options = new VectorSearchOptions<Item> { Filter = r => r.Group == 3 };
        var before = await collection.SearchAsync(vectors[42], 1, options).SingleAsync();

        await collection.UpsertAsync(new Item { Id = 42, Group = 3, Embedding = vectors[42] });
        var moved = await collection.SearchAsync(vectors[42], 1, options).SingleAsync();
        await collection.DeleteAsync(42);
        var deleted = await collection.SearchAsync(vectors[42], 1, options).SingleAsync();

        Assert.NotEqual(42, before.Record.Id);
        Assert.Equal(42, moved.Record.Id);
        Assert.NotEqual(42, deleted.Record.Id);
        Assert.Equal(3, deleted.Record.Group);
    }

    [Fact]
    public async Task Search_SameFilterWithOtherCapturedValues_UsesEachValue()
    {
        var vectors = RandomVectors(200, seed: 10);
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await FillAsync(store, "captured", DistanceFunction.CosineSimilarity, vectors);

        foreach (var group in new[] { 1, 4, 1, 7 })
        {
            var results = await collection.SearchAsync(vectors[0], 5, new() { Filter = r => r.Group == group }).ToListAsync();

            Assert.Equal(5, results.Count);
            Assert.All(results, r => Assert.Equal(group, r.Record.Group));
        }
    }

    [Fact]
    public async Task Search_RepeatedFilter_SeesAnotherWritersChanges()
    {
        var vectors = RandomVectors(200, seed: 11);
        using var reader = new SqliteVectorStore(_database.Path);
        using var writer = new SqliteVectorStore(_database.Path);
        var readCollection = await FillAsync(reader, "shared", DistanceFunction.CosineSimilarity, vectors);
        var writeCollection = writer.GetCollection<int, Item>("shared", Definition(DistanceFunction.CosineSimilarity));
        var options = new VectorSearchOptions<Item> { Filter = r => r.Group == 3 };
        Assert.NotEqual(42, (await readCollection.SearchAsync(vectors[42], 1, options).SingleAsync()).Record.Id);

        await writeCollection.UpsertAsync(new Item { Id = 42, Group = 3, Embedding = vectors[42] });

        Assert.Equal(42, (await readCollection.SearchAsync(vectors[42], 1, options).SingleAsync()).Record.Id);
    }

    public void Dispose() => _database.Dispose();

    private static List<int> BruteForce(List<float[]> vectors, List<int> candidates, float[] query, string distance, int k)
    {
        double Score(float[] v)
        {
            double dot = 0, qq = 0, vv = 0, euclid = 0, manhattan = 0;
            for (var i = 0; i < v.Length; i++)
            {
                dot += query[i] * (double)v[i];
                qq += query[i] * (double)query[i];
                vv += v[i] * (double)v[i];
                euclid += (query[i] - (double)v[i]) * (query[i] - (double)v[i]);
                manhattan += Math.Abs(query[i] - (double)v[i]);
            }

            // Lower is nearer.
            return distance switch
            {
                DistanceFunction.CosineSimilarity => -dot / Math.Sqrt(qq * vv),
                DistanceFunction.DotProductSimilarity => -dot,
                DistanceFunction.EuclideanDistance => euclid,
                _ => manhattan,
            };
        }

        return [.. candidates.OrderBy(i => Score(vectors[i])).Take(k)];
    }

    private static List<float[]> RandomVectors(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())];
    }

    private static VectorStoreCollectionDefinition Definition(string distance) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Item.Id), typeof(int)),
            new VectorStoreDataProperty(nameof(Item.Group), typeof(int)) { IsIndexed = true },
            new VectorStoreVectorProperty(nameof(Item.Embedding), typeof(ReadOnlyMemory<float>), Dimensions) { IndexKind = IndexKind.Flat, DistanceFunction = distance },
        ],
    };

    private static async Task<VectorStoreCollection<int, Item>> FillAsync(SqliteVectorStore store, string name, string distance, List<float[]> vectors)
    {
        var collection = store.GetCollection<int, Item>(name, Definition(distance));
        await collection.EnsureCollectionExistsAsync();
        foreach (var batch in Enumerable.Range(0, vectors.Count).Chunk(1000))
        {
            await collection.UpsertAsync(batch.Select(i => new Item { Id = i, Group = i % 10, Embedding = vectors[i] }));
        }

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
