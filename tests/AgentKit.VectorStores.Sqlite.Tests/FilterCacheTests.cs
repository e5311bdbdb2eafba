using System.Diagnostics;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>
/// The filter cache across writes: cached filter results are kept valid through this store's upserts (written rows
/// re-evaluated) and deletes, dropped on another writer's changes, bounded in number and in work per write. Every
/// filtered result is compared with a brute-force answer over a reference copy of the records.
/// </summary>
public sealed class FilterCacheTests : IDisposable
{
    private const int Dimensions = 32;
    private static readonly string?[] Tags = ["red", "blue", "green", null];

    private static readonly Expression<Func<Doc, bool>>[] Filters =
    [
        d => d.Group == 3,
        d => d.Group < 5,
        d => d.Tag == "red",
        d => d.Group >= 2 && d.Tag != "blue",
        d => d.Flag,
        d => d.Tag == null || d.Group == 9,
    ];

    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Search_FiltersInterleavedWithOwnAndForeignWrites_MatchBruteForce()
    {
        var random = new Random(12);
        using var store = new SqliteVectorStore(_database.Path);
        using var foreignStore = new SqliteVectorStore(_database.Path);
        var (collection, docs) = await CreateAsync(store, IndexKind.Flat, random, 600);
        var foreign = foreignStore.GetCollection<int, Doc>("docs", Definition(IndexKind.Flat));
        var reference = docs.ToDictionary(d => d.Id);
        var nextId = docs.Count;

        var compiled = Filters.Select(f => f.Compile()).ToArray();
        var searches = 0;
        var foreignWrites = 0;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < 400 && clock.Elapsed < TimeSpan.FromSeconds(20); step++)
        {
            var roll = random.Next(100);
            if (roll < 45)
            {
                var f = random.Next(Filters.Length);
                var query = RandomVector(random);
                var skip = random.Next(3);
                var results = await collection.SearchAsync(query, 10, new() { Filter = Filters[f], Skip = skip }).ToListAsync();
                Assert.Equal(BruteForce(reference.Values.Where(compiled[f]), query, skip, 10), results.Select(r => r.Record.Id));
                searches++;
            }
            else if (roll < 70)
            {
                // Existing records with changed filtered fields, existing records with only a new vector, new records.
                var batch = new List<Doc>();
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    var kind = random.Next(3);
                    var doc = kind == 2 || reference.Count == 0 ? NewDoc(random, nextId++) : NewDoc(random, PickId(random, reference));
                    if (kind == 1 && reference.TryGetValue(doc.Id, out var old))
                    {
                        (doc.Group, doc.Tag, doc.Flag) = (old.Group, old.Tag, old.Flag);
                    }

                    batch.Add(doc);
                }

                await collection.UpsertAsync(batch);
                batch.ForEach(d => Remember(reference, d));
            }
            else if (roll < 85 && reference.Count > 0)
            {
                var keys = Enumerable.Range(0, random.Next(1, 6)).Select(_ => PickId(random, reference)).Distinct().ToList();
                await collection.DeleteAsync(keys);
                keys.ForEach(k => reference.Remove(k));
            }
            else if (roll < 90 && reference.Count > 0)
            {
                var changed = NewDoc(random, PickId(random, reference));
                await foreign.UpsertAsync(changed);
                Remember(reference, changed);
                if (random.Next(2) == 0)
                {
                    var key = PickId(random, reference);
                    await foreign.DeleteAsync(key);
                    reference.Remove(key);
                }

                foreignWrites++;
            }
            else
            {
                var query = RandomVector(random);
                var results = await collection.SearchAsync(query, 5).ToListAsync();
                Assert.Equal(BruteForce(reference.Values, query, 0, 5), results.Select(r => r.Record.Id));
            }
        }

        // A fresh store (no cache) agrees with the reference too.
        using (var freshStore = new SqliteVectorStore(_database.Path))
        {
            var fresh = freshStore.GetCollection<int, Doc>("docs", Definition(IndexKind.Flat));
            var query = RandomVector(random);
            for (var f = 0; f < Filters.Length; f++)
            {
                var results = await fresh.SearchAsync(query, 10, new() { Filter = Filters[f] }).ToListAsync();
                Assert.Equal(BruteForce(reference.Values.Where(compiled[f]), query, 0, 10), results.Select(r => r.Record.Id));
            }
        }

        // Filters ran in SQL only when first used and after another writer's changes, never after this store's own.
        Assert.True(searches > 50, $"only {searches} searches ran");
        var filterQueries = collection.IndexStatistics().Single().FilterQueries;
        Assert.InRange(filterQueries, Filters.Length, Filters.Length * (foreignWrites + 1));
    }

    [Fact]
    public async Task Upsert_ChangingFilteredField_MovesRecordAcrossCachedFilterWithoutRequery()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, docs) = await CreateAsync(store, IndexKind.Flat, new Random(3), 200, groups: 10);
        var inThree = new VectorSearchOptions<Doc> { Filter = d => d.Group == 3 };
        var target = docs[42];
        Assert.NotEqual(42, (await collection.SearchAsync(target.Embedding, 1, inThree).SingleAsync()).Record.Id);

        target.Group = 3;
        await collection.UpsertAsync(target);
        var joined = await collection.SearchAsync(target.Embedding, 1, inThree).SingleAsync();
        target.Group = 4;
        await collection.UpsertAsync(target);
        var left = await collection.SearchAsync(target.Embedding, 1, inThree).SingleAsync();
        await collection.UpsertAsync(new Doc { Id = 1000, Group = 3, Embedding = target.Embedding });
        var inserted = await collection.SearchAsync(target.Embedding, 1, inThree).SingleAsync();
        await collection.DeleteAsync(1000);
        var deleted = await collection.SearchAsync(target.Embedding, 1, inThree).SingleAsync();

        Assert.Equal(42, joined.Record.Id);
        Assert.NotEqual(42, left.Record.Id);
        Assert.Equal(3, left.Record.Group);
        Assert.Equal(1000, inserted.Record.Id);
        Assert.NotEqual(1000, deleted.Record.Id);
        Assert.Equal(3, deleted.Record.Group);
        Assert.Equal(1, collection.IndexStatistics().Single().FilterQueries);
    }

    [Fact]
    public async Task Search_SeventeenthFilter_DropsTheLeastRecentlyUsed()
    {
        var random = new Random(4);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, _) = await CreateAsync(store, IndexKind.Flat, random, 100);
        var query = RandomVector(random);

        async Task SearchGroupAsync(int group) => await collection.SearchAsync(query, 3, new() { Filter = d => d.Group == group }).ToListAsync();
        for (var group = 0; group < 16; group++)
        {
            await SearchGroupAsync(group);
        }

        await SearchGroupAsync(0);
        await SearchGroupAsync(16);
        var before = collection.IndexStatistics().Single().FilterQueries;
        await SearchGroupAsync(0);
        var afterRecent = collection.IndexStatistics().Single().FilterQueries;
        await SearchGroupAsync(1);
        var afterOldest = collection.IndexStatistics().Single().FilterQueries;

        Assert.Equal(17, before);
        Assert.Equal(before, afterRecent);
        Assert.Equal(before + 1, afterOldest);
        Assert.Equal(16, collection.IndexStatistics().Single().CachedFilters);
    }

    [Fact]
    public async Task Upsert_BeyondCheckBudget_KeepsRecentFiltersAndDropsTheRest()
    {
        var random = new Random(5);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, docs) = await CreateAsync(store, IndexKind.Flat, random, 300);
        var reference = docs.ToDictionary(d => d.Id);
        var query = RandomVector(random);
        var compiled = Filters.Select(f => f.Compile()).ToArray();
        foreach (var filter in Filters.Reverse())
        {
            await collection.SearchAsync(query, 10, new() { Filter = filter }).ToListAsync();
        }

        // The written rows × 6 cached filters exceed the budget: the two most recently used stay, the rest are dropped.
        var rows = (Search.VectorIndex.MaxFilterChecksPerWrite / 2) - 10;
        await collection.UpsertAsync(Enumerable.Range(0, rows).Select(i => Remember(reference, NewDoc(random, i % 2 == 0 ? i / 2 : 1000 + i))).ToList());

        Assert.Equal(2, collection.IndexStatistics().Single().CachedFilters);
        var queriesBefore = collection.IndexStatistics().Single().FilterQueries;
        for (var f = 0; f < Filters.Length; f++)
        {
            var results = await collection.SearchAsync(query, 10, new() { Filter = Filters[f] }).ToListAsync();
            Assert.Equal(BruteForce(reference.Values.Where(compiled[f]), query, 0, 10), results.Select(r => r.Record.Id));
        }

        Assert.Equal(queriesBefore + Filters.Length - 2, collection.IndexStatistics().Single().FilterQueries);
    }

    [Fact]
    public async Task Search_HnswWithCachedFilter_FollowsMovedVectors()
    {
        var random = new Random(6);
        using var store = new SqliteVectorStore(_database.Path);
        var (collection, docs) = await CreateAsync(store, IndexKind.Hnsw, random, 300, groups: 4);
        var inOne = new VectorSearchOptions<Doc> { Filter = d => d.Group == 1 };
        await collection.SearchAsync(docs[0].Embedding, 5, inOne).ToListAsync();

        // Graph updates re-insert a changed vector in a new slot: the old slot must leave the cached filter.
        var moved = new Doc { Id = 5, Group = 1, Tag = docs[5].Tag, Embedding = RandomVector(random) };
        await collection.UpsertAsync(moved);
        var atOldPlace = await collection.SearchAsync(docs[5].Embedding, 20, inOne).ToListAsync();
        var atNewPlace = await collection.SearchAsync(moved.Embedding, 1, inOne).SingleAsync();
        moved.Group = 2;
        await collection.UpsertAsync(moved);
        var afterLeaving = await collection.SearchAsync(moved.Embedding, 20, inOne).ToListAsync();

        Assert.True(collection.IndexStatistics().Single().UsesGraph);
        Assert.All(atOldPlace, r => Assert.Equal(1, r.Record.Group));
        Assert.Equal(atOldPlace.Count, atOldPlace.Select(r => r.Record.Id).Distinct().Count());
        Assert.DoesNotContain(atOldPlace, r => r.Record.Id == 5 && r.Score > 0.99);
        Assert.Equal(5, atNewPlace.Record.Id);
        Assert.All(afterLeaving, r => Assert.Equal(1, r.Record.Group));
        Assert.Equal(1, collection.IndexStatistics().Single().FilterQueries);
    }

    [Fact]
    public async Task Search_AfterAnotherStoreRecreatesTheCollection_SeesTheNewRecords()
    {
        // A re-created collection must not reuse a write generation this store's cache still holds: here both stores
        // made exactly one write to their collection, which numbered both generations alike before the fix.
        var random = new Random(5);
        using var store = new SqliteVectorStore(_database.Path);
        using var foreignStore = new SqliteVectorStore(_database.Path);
        var (collection, _) = await CreateAsync(store, IndexKind.Flat, random, 50, groups: 2);
        var query = RandomVector(random);
        Assert.Equal(10, (await collection.SearchAsync(query, 10, new() { Filter = d => d.Group == 1 }).ToListAsync()).Count);

        var foreign = foreignStore.GetCollection<int, Doc>("docs", Definition(IndexKind.Flat));
        await foreign.EnsureCollectionDeletedAsync();
        await foreign.EnsureCollectionExistsAsync();
        var replacement = Enumerable.Range(1000, 50).Select(i => NewDoc(random, i)).ToList();
        replacement.ForEach(d => d.Group = 1);
        await foreign.UpsertAsync(replacement);

        var results = await collection.SearchAsync(query, 10, new() { Filter = d => d.Group == 1 }).ToListAsync();
        Assert.Equal(BruteForce(replacement, query, 0, 10), results.Select(r => r.Record.Id));
    }

    public void Dispose() => _database.Dispose();

    /// <summary>The collection "docs" holding <paramref name="count"/> random records with ids from 0, and <c>Group = Id % groups</c> when given.</summary>
    private static async Task<(SqliteCollection<int, Doc> Collection, List<Doc> Docs)> CreateAsync(SqliteVectorStore store, string indexKind, Random random, int count, int? groups = null)
    {
        var collection = (SqliteCollection<int, Doc>)store.GetCollection<int, Doc>("docs", Definition(indexKind));
        await collection.EnsureCollectionExistsAsync();
        var docs = Enumerable.Range(0, count).Select(i => NewDoc(random, i)).ToList();
        if (groups is { } modulo)
        {
            docs.ForEach(d => d.Group = d.Id % modulo);
        }

        await collection.UpsertAsync(docs);
        return (collection, docs);
    }

    private static Doc Remember(Dictionary<int, Doc> reference, Doc doc)
    {
        reference[doc.Id] = doc;
        return doc;
    }

    private static int PickId(Random random, Dictionary<int, Doc> reference) => reference.Keys.ElementAt(random.Next(reference.Count));

    private static Doc NewDoc(Random random, int id) => new()
    {
        Id = id,
        Group = random.Next(10),
        Tag = Tags[random.Next(Tags.Length)],
        Flag = random.Next(3) == 0,
        Embedding = RandomVector(random),
    };

    private static float[] RandomVector(Random random) => [.. Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    /// <summary>Ids of the nearest by cosine similarity, after <paramref name="skip"/>.</summary>
    private static List<int> BruteForce(IEnumerable<Doc> candidates, float[] query, int skip, int k)
    {
        double Cosine(ReadOnlySpan<float> v)
        {
            double dot = 0, qq = 0, vv = 0;
            for (var i = 0; i < v.Length; i++)
            {
                dot += query[i] * (double)v[i];
                qq += query[i] * (double)query[i];
                vv += v[i] * (double)v[i];
            }

            return dot / Math.Sqrt(qq * vv);
        }

        return [.. candidates.OrderByDescending(d => Cosine(d.Embedding.Span)).Skip(skip).Take(k).Select(d => d.Id)];
    }

    // No property is indexed: filters over indexed properties are evaluated in memory instead (InMemoryFilterTests),
    // so these run in SQL and through the filter cache.
    private static VectorStoreCollectionDefinition Definition(string indexKind) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Doc.Id), typeof(int)),
            new VectorStoreDataProperty(nameof(Doc.Group), typeof(int)),
            new VectorStoreDataProperty(nameof(Doc.Tag), typeof(string)),
            new VectorStoreDataProperty(nameof(Doc.Flag), typeof(bool)),
            new VectorStoreVectorProperty(nameof(Doc.Embedding), typeof(ReadOnlyMemory<float>), Dimensions) { IndexKind = indexKind, DistanceFunction = DistanceFunction.CosineSimilarity },
        ],
    };

    /// <summary>A test record.</summary>
    public sealed class Doc
    {
        public int Id { get; set; }

        public int Group { get; set; }

        public string? Tag { get; set; }

        public bool Flag { get; set; }

        public ReadOnlyMemory<float> Embedding { get; set; }
    }
}
