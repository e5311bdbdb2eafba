using Microsoft.Extensions.AI;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Conformance;

/// <summary>
/// The behaviour every AgentKit vector store shares: CRUD, filters, every distance function the store supports,
/// hybrid search, skip/top, dynamic collections, concurrency and disposal. A store's test project derives a class
/// from this one and supplies <see cref="CreateStore"/>; xunit runs every test against that store.
/// </summary>
/// <remarks>
/// The contract, beyond Microsoft.Extensions.VectorData's own documentation: keys are <see cref="Guid"/>s here;
/// writes are visible to the next read once their task completes; a vector of the wrong dimension is rejected with
/// an <see cref="ArgumentException"/>; collections of a disposed store throw <see cref="ObjectDisposedException"/>;
/// <c>string.Contains</c> is checked with whole words, which both substring and token matching satisfy.
/// </remarks>
public abstract class VectorStoreConformanceTests : IAsyncLifetime
{
    private readonly List<string> _collections = [];
    private VectorStore? _store;

    /// <summary>The store under test, created before each test by <see cref="CreateStore"/>.</summary>
    protected VectorStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Why the store cannot run here (for example, no server configured), or null to run the tests.</summary>
    protected virtual string? SkipReason => null;

    /// <summary>The distance functions the store supports; each is checked against a reference computation.</summary>
    protected virtual IReadOnlyList<string> DistanceFunctions { get; } =
    [
        DistanceFunction.CosineSimilarity, DistanceFunction.DotProductSimilarity, DistanceFunction.EuclideanDistance,
    ];

    /// <summary>Creates the store for one test.</summary>
    /// <returns>A new store; the suite disposes it.</returns>
    protected abstract VectorStore CreateStore();

    /// <summary>Creates a second store over the same backend whose options carry a store-level embedding generator.</summary>
    /// <param name="embeddingGenerator">The generator every collection of the store falls back to.</param>
    /// <returns>A new store; the test disposes it.</returns>
    protected abstract VectorStore CreateStore(IEmbeddingGenerator embeddingGenerator);

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync()
    {
        if (SkipReason is null)
        {
            _store = CreateStore();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            foreach (var name in _collections)
            {
                await _store.EnsureCollectionDeletedAsync(name);
            }
        }
        catch (ObjectDisposedException)
        {
            // The disposal test disposed the store already.
        }

        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Collection_Lifecycle_CreatesListsAndDeletes()
    {
        SkipIfUnavailable();
        var collection = Store.GetCollection<Guid, ConformanceRecord>(NewName());
        Assert.False(await collection.CollectionExistsAsync());

        await collection.EnsureCollectionExistsAsync();
        await collection.EnsureCollectionExistsAsync();

        Assert.True(await collection.CollectionExistsAsync());
        Assert.Contains(collection.Name, await Store.ListCollectionNamesAsync().ToListAsync());
        await collection.EnsureCollectionDeletedAsync();
        Assert.False(await Store.CollectionExistsAsync(collection.Name));
    }

    [Fact]
    public async Task Upsert_ThenGet_ReturnsTheRecord()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();
        var expected = Seed[0];

        var withoutVectors = await collection.GetAsync(expected.Id);
        var withVectors = await collection.GetAsync(expected.Id, new RecordRetrievalOptions { IncludeVectors = true });

        Assert.NotNull(withoutVectors);
        Assert.Equal(expected.Category, withoutVectors.Category);
        Assert.Equal(expected.Rank, withoutVectors.Rank);
        Assert.Equal(expected.Published, withoutVectors.Published);
        Assert.Equal(expected.Tags, withoutVectors.Tags);
        Assert.Equal(expected.Text, withoutVectors.Text);
        Assert.Equal(expected.Embedding.ToArray(), withVectors!.Embedding.ToArray());
    }

    [Fact]
    public async Task Upsert_ExistingKey_ReplacesTheRecord()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();
        var changed = Copy(Seed[1]);
        changed.Category = "changed";
        changed.Embedding = new float[] { 9, 9, 9, 9 };

        await collection.UpsertAsync(changed);

        var read = await collection.GetAsync(changed.Id, new RecordRetrievalOptions { IncludeVectors = true });
        Assert.Equal("changed", read!.Category);
        Assert.Equal(new float[] { 9, 9, 9, 9 }, read.Embedding.ToArray());
        Assert.Equal(Seed.Count, (await collection.GetAsync(r => true, 100).ToListAsync()).Count);
    }

    [Fact]
    public async Task Get_ManyKeys_ReturnsOnlyThoseFound()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();

        var found = await collection.GetAsync([Seed[0].Id, Guid.NewGuid(), Seed[2].Id]).ToListAsync();

        Assert.Equal(new[] { Seed[0].Id, Seed[2].Id }.Order(), found.Select(r => r.Id).Order());
        Assert.Null(await collection.GetAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Delete_OneAndMany_RemovesThem()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();

        await collection.DeleteAsync(Seed[0].Id);
        await collection.DeleteAsync([Seed[1].Id, Seed[2].Id, Guid.NewGuid()]);

        var left = await collection.GetAsync(r => true, 100).ToListAsync();
        Assert.Equal(Seed.Skip(3).Select(r => r.Id).Order(), left.Select(r => r.Id).Order());
        Assert.DoesNotContain(await collection.SearchAsync(Seed[0].Embedding, 10).ToListAsync(), r => r.Record.Id == Seed[0].Id);
    }

    [Fact]
    public async Task Get_WithEachFilterOperator_MatchesLinq()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();
        var rank = 3;
        var categories = new List<string> { "fruit", "tool" };

        await AssertFilter(collection, r => r.Category == "fruit");
        await AssertFilter(collection, r => r.Category != "fruit");
        await AssertFilter(collection, r => r.Rank < 3);
        await AssertFilter(collection, r => r.Rank <= 3);
        await AssertFilter(collection, r => r.Rank > rank);
        await AssertFilter(collection, r => r.Rank >= rank);
        await AssertFilter(collection, r => r.Category == "fruit" && r.Rank > 1);
        await AssertFilter(collection, r => r.Category == "tool" || r.Rank == 1);
        await AssertFilter(collection, r => !(r.Category == "fruit"));
        await AssertFilter(collection, r => r.Published);
        await AssertFilter(collection, r => !r.Published);
        await AssertFilter(collection, r => r.Tags.Contains("red"));
        await AssertFilter(collection, r => categories.Contains(r.Category));
        await AssertFilter(collection, r => r.Text.Contains("quick"));
    }

    [Fact]
    public async Task Search_WithFilter_ReturnsOnlyMatches()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();

        var results = await collection.SearchAsync(new float[] { 1, 0, 0, 0 }, 10, new VectorSearchOptions<ConformanceRecord> { Filter = r => r.Category == "tool" }).ToListAsync();

        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Equal("tool", r.Record.Category));
        Assert.Equal(Seed.Count(r => r.Category == "tool"), results.Count);
    }

    [Fact]
    public async Task Search_SkipAndTop_PageThroughTheRanking()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();
        var query = new float[] { 0.2f, 0.9f, 0.1f, 0.3f };

        var all = await collection.SearchAsync(query, Seed.Count).ToListAsync();
        var page = await collection.SearchAsync(query, 2, new VectorSearchOptions<ConformanceRecord> { Skip = 1 }).ToListAsync();

        Assert.Equal(Seed.Count, all.Count);
        Assert.Equal(all.Skip(1).Take(2).Select(r => r.Record.Id), page.Select(r => r.Record.Id));
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score), "cosine similarity results are sorted by descending score");
    }

    [Fact]
    public async Task Search_IncludeVectorsAndScoreThreshold_AreHonoured()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();
        var query = Seed[3].Embedding;

        var without = await collection.SearchAsync(query, 1).SingleAsync();
        var with = await collection.SearchAsync(query, 1, new VectorSearchOptions<ConformanceRecord> { IncludeVectors = true }).SingleAsync();
        var close = await collection.SearchAsync(query, 10, new VectorSearchOptions<ConformanceRecord> { ScoreThreshold = 0.99 }).ToListAsync();

        Assert.Equal(Seed[3].Id, without.Record.Id);
        Assert.True(without.Record.Embedding.IsEmpty);
        Assert.Equal(Seed[3].Embedding.ToArray(), with.Record.Embedding.ToArray());
        Assert.NotEmpty(close);
        Assert.All(close, r => Assert.True(r.Score >= 0.99, $"score {r.Score} is below the threshold"));
        Assert.True(close.Count < Seed.Count);
    }

    [Fact]
    public async Task Search_EveryDistanceFunction_MatchesReferenceScores()
    {
        SkipIfUnavailable();
        float[][] vectors = [[1, 0, 0, 0], [0.8f, 0.6f, 0, 0], [0, 1, 0, 0], [-1, 0.5f, 0.2f, 0], [2, 2, 0, 1]];
        float[] query = [0.9f, 0.35f, 0.1f, 0];
        foreach (var function in DistanceFunctions)
        {
            var definition = new VectorStoreCollectionDefinition
            {
                Properties =
                [
                    new VectorStoreKeyProperty(nameof(DistanceRecord.Id), typeof(Guid)),
                    new VectorStoreVectorProperty(nameof(DistanceRecord.Embedding), typeof(ReadOnlyMemory<float>), 4) { DistanceFunction = function },
                ],
            };
            var collection = Store.GetCollection<Guid, DistanceRecord>(NewName(), definition);
            await collection.EnsureCollectionExistsAsync();
            var records = vectors.Select(v => new DistanceRecord { Id = Guid.NewGuid(), Embedding = v }).ToList();
            await collection.UpsertAsync(records);

            var results = await collection.SearchAsync(query, vectors.Length).ToListAsync();

            var higherIsBetter = function is DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity;
            var expected = records
                .Select(r => (r.Id, Score: ReferenceScore(function, query, r.Embedding.Span)))
                .OrderBy(r => higherIsBetter ? -r.Score : r.Score)
                .ToList();
            Assert.Equal(expected.Select(e => e.Id), results.Select(r => r.Record.Id));
            foreach (var (result, reference) in results.Zip(expected))
            {
                Assert.True(Math.Abs(result.Score!.Value - reference.Score) < 1e-4, $"{function}: score {result.Score} differs from {reference.Score}");
            }
        }
    }

    [Fact]
    public async Task HybridSearch_KeywordMatch_RanksAboveVectorOnlyMatch()
    {
        SkipIfUnavailable();
        var collection = Store.GetCollection<Guid, ConformanceRecord>(NewName());
        await collection.EnsureCollectionExistsAsync();
        var nearest = New("a", 1, [1, 0, 0, 0], "alpha particles");
        var middle = New("a", 2, [0.7f, 0.7f, 0, 0], "beta decay");
        var keyword = New("a", 3, [0, 0, 1, 0], "the zebra crossing");
        await collection.UpsertAsync([nearest, middle, keyword]);
        var hybrid = Assert.IsAssignableFrom<IKeywordHybridSearchable<ConformanceRecord>>(collection);

        var results = await hybrid.HybridSearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), ["zebra"], 2).ToListAsync();
        var filtered = await hybrid.HybridSearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), ["zebra"], 3, new HybridSearchOptions<ConformanceRecord> { Filter = r => r.Rank < 3 }).ToListAsync();

        Assert.Equal(keyword.Id, results[0].Record.Id);
        Assert.Equal(nearest.Id, results[1].Record.Id);
        Assert.DoesNotContain(filtered, r => r.Record.Id == keyword.Id);
    }

    [Fact]
    public async Task Get_WithOrderBySkipAndTop_ReturnsThePage()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();

        var ascending = await collection.GetAsync(r => r.Rank > 0, 3, new FilteredRecordRetrievalOptions<ConformanceRecord> { OrderBy = o => o.Ascending(r => r.Rank), Skip = 1 }).ToListAsync();
        var descending = await collection.GetAsync(r => r.Rank > 0, 2, new FilteredRecordRetrievalOptions<ConformanceRecord> { OrderBy = o => o.Descending(r => r.Rank) }).ToListAsync();

        Assert.Equal(Seed.Select(r => r.Rank).Order().Skip(1).Take(3), ascending.Select(r => r.Rank));
        Assert.Equal(Seed.Select(r => r.Rank).OrderDescending().Take(2), descending.Select(r => r.Rank));
    }

    [Fact]
    public async Task DynamicCollection_UpsertGetFilterAndSearch()
    {
        SkipIfUnavailable();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(Guid)),
                new VectorStoreDataProperty("Category", typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty("Rank", typeof(int)) { IsIndexed = true },
                new VectorStoreVectorProperty("Embedding", typeof(ReadOnlyMemory<float>), 4),
            ],
        };
        var collection = Store.GetDynamicCollection(NewName(), definition);
        await collection.EnsureCollectionExistsAsync();
        var first = Guid.NewGuid();
        await collection.UpsertAsync(
        [
            new Dictionary<string, object?> { ["Id"] = first, ["Category"] = "a", ["Rank"] = 1, ["Embedding"] = new ReadOnlyMemory<float>([1, 0, 0, 0]) },
            new Dictionary<string, object?> { ["Id"] = Guid.NewGuid(), ["Category"] = "b", ["Rank"] = 2, ["Embedding"] = new ReadOnlyMemory<float>([0, 1, 0, 0]) },
        ]);

        var read = await collection.GetAsync(first);
        var filtered = await collection.GetAsync(r => (string)r["Category"]! == "b", 10).ToListAsync();
        var nearest = await collection.SearchAsync(new ReadOnlyMemory<float>([0.9f, 0.1f, 0, 0]), 1).SingleAsync();

        Assert.Equal("a", read!["Category"]);
        Assert.Equal(1, read["Rank"]);
        Assert.Equal(2, Assert.Single(filtered)["Rank"]);
        Assert.Equal(first, nearest.Record["Id"]);
    }

    [Fact]
    public async Task Concurrent_UpsertsAndSearches_LoseNothing()
    {
        SkipIfUnavailable();
        var collection = Store.GetCollection<Guid, ConformanceRecord>(NewName());
        await collection.EnsureCollectionExistsAsync();
        const int Writers = 8;
        const int PerWriter = 25;

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await collection.UpsertAsync(New("c" + w, i, [w + 1, i + 1, 1, 0], $"writer {w} item {i}"));
            }
        }));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await collection.SearchAsync(new ReadOnlyMemory<float>([1, 1, 1, 0]), 5).ToListAsync();
            }
        }));
        await Task.WhenAll(writers.Concat(readers));

        Assert.Equal(Writers * PerWriter, (await collection.GetAsync(r => true, 1000).ToListAsync()).Count);
        Assert.Equal(10, (await collection.SearchAsync(new ReadOnlyMemory<float>([1, 1, 1, 0]), 10).ToListAsync()).Count);
    }

    [Fact]
    public async Task Upsert_WrongDimension_ThrowsArgumentException()
    {
        SkipIfUnavailable();
        var collection = Store.GetCollection<Guid, ConformanceRecord>(NewName());
        await collection.EnsureCollectionExistsAsync();

        var exception = await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(New("a", 1, [1, 2, 3], "three dimensions")));

        Assert.Contains(nameof(ConformanceRecord.Embedding), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposedStore_Operations_ThrowObjectDisposed()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();

        Store.Dispose();

        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => collection.GetAsync(Seed[0].Id));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => collection.UpsertAsync(Copy(Seed[0])));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(async () => await collection.SearchAsync(Seed[0].Embedding, 1).ToListAsync());
    }

    [Fact]
    public async Task GetAndDelete_NullKey_ThrowArgumentNullException()
    {
        SkipIfUnavailable();
        var collection = Store.GetDynamicCollection(NewName(), DistanceDefinition(DistanceFunction.CosineSimilarity, IndexKind.Flat));
        await collection.EnsureCollectionExistsAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => collection.GetAsync((object)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await collection.GetAsync([Guid.NewGuid(), null!]).ToListAsync());
        await Assert.ThrowsAsync<ArgumentNullException>(() => collection.DeleteAsync((object)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => collection.DeleteAsync([Guid.NewGuid(), null!]));
    }

    [Fact]
    public async Task Search_IdenticalVectorsInHnsw_ReturnsEveryRecord_AlsoAfterDeleteAndReinsert()
    {
        SkipIfUnavailable();
        const int Count = 50;
        float[] same = [0.3f, -0.2f, 0.9f, 0.1f];
        var collection = Store.GetCollection<Guid, DistanceRecord>(NewName(), DistanceDefinition(DistanceFunction.CosineSimilarity, IndexKind.Hnsw));
        await collection.EnsureCollectionExistsAsync();
        var records = Enumerable.Range(0, Count).Select(_ => new DistanceRecord { Id = Guid.NewGuid(), Embedding = same.ToArray() }).ToList();

        for (var round = 0; round < 3; round++)
        {
            await collection.UpsertAsync(records);

            var found = await collection.SearchAsync(new ReadOnlyMemory<float>(same), Count).ToListAsync();

            Assert.Equal(records.Select(r => r.Id).Order(), found.Select(r => r.Record.Id).Order());
            await collection.DeleteAsync(records.Select(r => r.Id));
            records = [.. records.Select(r => new DistanceRecord { Id = Guid.NewGuid(), Embedding = same.ToArray() })];
        }
    }

    [Fact]
    public async Task Unsupported_AnyOverCollectionAndHammingDistance_ThrowNotSupportedException()
    {
        SkipIfUnavailable();
        var collection = await SeededCollectionAsync();

        await Assert.ThrowsAsync<NotSupportedException>(async () => await collection.GetAsync(r => r.Tags.Any(t => t == "red"), 10).ToListAsync());
        await Assert.ThrowsAsync<NotSupportedException>(async () => await collection.SearchAsync(
            Seed[0].Embedding, 3, new VectorSearchOptions<ConformanceRecord> { Filter = r => r.Tags.Any(t => t == "red") }).ToListAsync());
        await Assert.ThrowsAsync<NotSupportedException>(() =>
            Store.GetCollection<Guid, DistanceRecord>(NewName(), DistanceDefinition(DistanceFunction.HammingDistance, IndexKind.Flat)).EnsureCollectionExistsAsync());
    }

    [Fact]
    public async Task EmbeddingGenerator_StoreLevel_EmbedsStringVectorsOnUpsertAndSearch()
    {
        SkipIfUnavailable();
        var storeGenerator = new LetterCountEmbeddingGenerator();
        using var store = CreateStore(storeGenerator);
        var collection = store.GetCollection<Guid, TextRecord>(NewName());
        await collection.EnsureCollectionExistsAsync();
        string[] texts = ["aaaa", "bbbb", "cccc", "dddd"];
        await collection.UpsertAsync(texts.Select(t => new TextRecord { Id = Guid.NewGuid(), Text = t, Embedding = t }));

        var nearest = await collection.SearchAsync("cccc c", 1).SingleAsync();

        Assert.Equal("cccc", nearest.Record.Text);
        Assert.Equal(texts.Length + 1, storeGenerator.Texts.Count);
        await collection.EnsureCollectionDeletedAsync();
    }

    [Fact]
    public async Task EmbeddingGenerator_CollectionAndPropertyLevel_WinOverTheStoreLevel()
    {
        SkipIfUnavailable();
        var storeGenerator = new LetterCountEmbeddingGenerator();
        var collectionGenerator = new LetterCountEmbeddingGenerator();
        var propertyGenerator = new LetterCountEmbeddingGenerator();
        using var store = CreateStore(storeGenerator);
        var byCollection = store.GetCollection<Guid, TextRecord>(NewName(), TextDefinition(collectionGenerator, propertyGenerator: null));
        var byProperty = store.GetCollection<Guid, TextRecord>(NewName(), TextDefinition(collectionGenerator, propertyGenerator));

        foreach (var collection in new[] { byCollection, byProperty })
        {
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(new TextRecord { Id = Guid.NewGuid(), Text = "abcd", Embedding = "abcd" });
            Assert.Single(await collection.SearchAsync("abcd", 1).ToListAsync());
            await collection.EnsureCollectionDeletedAsync();
        }

        Assert.Empty(storeGenerator.Texts);
        Assert.Equal(["abcd", "abcd"], collectionGenerator.Texts);
        Assert.Equal(["abcd", "abcd"], propertyGenerator.Texts);
    }

    /// <summary>The records <see cref="SeededCollectionAsync"/> stores.</summary>
    protected IReadOnlyList<ConformanceRecord> Seed { get; } =
    [
        New("fruit", 1, [1, 0, 0, 0], "the quick apple", published: true, "red", "sweet"),
        New("fruit", 2, [0.9f, 0.1f, 0, 0], "a slow banana", published: false, "yellow"),
        New("fruit", 3, [0.5f, 0.5f, 0.1f, 0], "quick cherries", published: true, "red"),
        New("tool", 4, [0, 1, 0, 0], "a heavy hammer", published: false, "steel"),
        New("tool", 5, [0, 0.8f, 0.6f, 0], "the quick saw", published: true, "steel", "red"),
        New("toy", 6, [0, 0, 0, 1], "a bouncing ball", published: false),
    ];

    /// <summary>A new collection holding <see cref="Seed"/>.</summary>
    /// <returns>The collection.</returns>
    protected async Task<VectorStoreCollection<Guid, ConformanceRecord>> SeededCollectionAsync()
    {
        var collection = Store.GetCollection<Guid, ConformanceRecord>(NewName());
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(Seed.Select(Copy));
        return collection;
    }

    /// <summary>A unique collection name, deleted after the test.</summary>
    /// <returns>The name.</returns>
    protected string NewName()
    {
        var name = "conf" + Guid.NewGuid().ToString("N")[..12];
        _collections.Add(name);
        return name;
    }

    /// <summary>Skips the test when <see cref="SkipReason"/> says the store is unavailable.</summary>
    protected void SkipIfUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    private async Task AssertFilter(VectorStoreCollection<Guid, ConformanceRecord> collection, Expression<Func<ConformanceRecord, bool>> filter)
    {
        var expected = Seed.Where(filter.Compile()).Select(r => r.Id).Order().ToList();
        var actual = (await collection.GetAsync(filter, 100).ToListAsync()).Select(r => r.Id).Order().ToList();
        Assert.True(expected.SequenceEqual(actual), $"filter {filter}: expected {expected.Count} records, got {actual.Count}");
        var searched = (await collection.SearchAsync(new ReadOnlyMemory<float>([1, 1, 1, 1]), 100, new VectorSearchOptions<ConformanceRecord> { Filter = filter }).ToListAsync())
            .Select(r => r.Record.Id).Order().ToList();
        Assert.True(expected.SequenceEqual(searched), $"search with filter {filter}: expected {expected.Count} records, got {searched.Count}");
    }

    private static VectorStoreCollectionDefinition DistanceDefinition(string function, string indexKind) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(DistanceRecord.Id), typeof(Guid)),
            new VectorStoreVectorProperty(nameof(DistanceRecord.Embedding), typeof(ReadOnlyMemory<float>), 4) { DistanceFunction = function, IndexKind = indexKind },
        ],
    };

    private static VectorStoreCollectionDefinition TextDefinition(IEmbeddingGenerator collectionGenerator, IEmbeddingGenerator? propertyGenerator) => new()
    {
        EmbeddingGenerator = collectionGenerator,
        Properties =
        [
            new VectorStoreKeyProperty(nameof(TextRecord.Id), typeof(Guid)),
            new VectorStoreDataProperty(nameof(TextRecord.Text), typeof(string)),
            new VectorStoreVectorProperty(nameof(TextRecord.Embedding), typeof(string), LetterCountEmbeddingGenerator.Dimensions) { EmbeddingGenerator = propertyGenerator },
        ],
    };

    private static double ReferenceScore(string function, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0, squared = 0, manhattan = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
            squared += (a[i] - b[i]) * (a[i] - b[i]);
            manhattan += Math.Abs(a[i] - b[i]);
        }

        var cosine = dot / (Math.Sqrt(na) * Math.Sqrt(nb));
        return function switch
        {
            DistanceFunction.CosineSimilarity => cosine,
            DistanceFunction.CosineDistance => 1 - cosine,
            DistanceFunction.DotProductSimilarity => dot,
            DistanceFunction.NegativeDotProductSimilarity => -dot,
            DistanceFunction.EuclideanDistance => Math.Sqrt(squared),
            DistanceFunction.EuclideanSquaredDistance => squared,
            DistanceFunction.ManhattanDistance => manhattan,
            _ => throw new NotSupportedException(function),
        };
    }

    private static ConformanceRecord New(string category, int rank, float[] embedding, string text, bool published = false, params string[] tags)
        => new() { Id = Guid.NewGuid(), Category = category, Rank = rank, Embedding = embedding, Text = text, Published = published, Tags = tags };

    private static ConformanceRecord Copy(ConformanceRecord record)
        => new()
        {
            Id = record.Id, Category = record.Category, Rank = record.Rank, Published = record.Published,
            Tags = [.. record.Tags], Text = record.Text, Embedding = record.Embedding.ToArray(),
        };
}
