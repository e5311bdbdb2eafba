using AgentKit.Abstractions.Search;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>Keyword search (<see cref="IKeywordSearchable{TRecord}"/>): exact BM25 over the FTS5 index, kept in step with every write.</summary>
public sealed class KeywordSearchTests : IDisposable
{
    private readonly TempDatabase _database = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KeywordSearch_CommonWord_RanksTheBestOfAllMatchingRecords()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);

        // 500 records share the word; the one that is mostly about it is written last, so a ranker that scores only
        // the first few hundred matches (by row order) would miss it.
        var filler = Enumerable.Range(0, 500).Select(i => Make($"filler{i}", $"page {i} mentions the printer once among many other words about paper trays toner and cables")).ToList();
        var other = Enumerable.Range(0, 600).Select(i => Make($"other{i}", $"page {i} is about scanners"));
        await collection.UpsertAsync([.. other, .. filler, Make("target", "printer printer setup: the printer driver")], Token);

        var results = await Search(collection, ["printer"], 3);

        Assert.Equal("target", results[0].Record.Id);
        Assert.Equal(3, results.Count);
        Assert.True(results[0].Score > results[1].Score);
    }

    [Fact]
    public async Task KeywordSearch_Scores_AreFts5Bm25OverTheWholeCollection()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);
        await collection.UpsertAsync([Make("a", "alpha beta"), Make("b", "alpha alpha gamma delta"), Make("c", "gamma"), Make("d", "delta epsilon"), Make("e", "zeta")], Token);

        var results = await Search(collection, ["alpha"], 5);

        // BM25 as FTS5 computes it: N = 5 rows, n(alpha) = 2, idf = ln((N − n + 0.5) / (n + 0.5)); 10 tokens, so
        // avgdl = 2; k1 = 1.2, b = 0.75.
        var idf = Math.Log(3.5 / 2.5);
        double Bm25(int tf, int length) => idf * tf * 2.2 / (tf + (1.2 * (0.25 + (0.75 * length / 2.0))));
        Assert.Equal(["b", "a"], results.Select(r => r.Record.Id));
        Assert.Equal(Bm25(2, 4), results[0].Score!.Value, 6);
        Assert.Equal(Bm25(1, 2), results[1].Score!.Value, 6);
    }

    [Fact]
    public async Task KeywordSearch_StemsAndAppliesTheFilter()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);
        await collection.UpsertAsync([Make("one", "installing packages", "x"), Make("two", "the package was installed", "y")], Token);

        var all = await Search(collection, ["install"], 5);
        var filtered = await collection.KeywordSearchAsync(["install"], 5, new KeywordSearchOptions<Doc> { Filter = d => d.Group == "y" }, Token).ToListAsync(Token);

        Assert.Equal(["one", "two"], all.Select(r => r.Record.Id).Order());
        Assert.Equal("two", Assert.Single(filtered).Record.Id);
    }

    [Fact]
    public async Task KeywordSearch_FollowsUpsertsAndDeletes()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);
        await collection.UpsertAsync([Make("a", "walrus facts"), Make("b", "other text")], Token);
        Assert.Equal("a", Assert.Single(await Search(collection, ["walrus"], 5)).Record.Id);

        await collection.UpsertAsync(Make("a", "narwhal facts"), Token);
        Assert.Empty(await Search(collection, ["walrus"], 5));
        Assert.Equal("a", Assert.Single(await Search(collection, ["narwhal"], 5)).Record.Id);

        await collection.DeleteAsync("a", Token);
        Assert.Empty(await Search(collection, ["narwhal"], 5));
        Assert.Empty(await Search(collection, ["facts"], 5));
    }

    [Fact]
    public async Task KeywordSearch_FailedBatch_LeavesTheIndexAsItWas()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);
        await collection.UpsertAsync(Make("a", "walrus"), Token);

        // The second record's vector has the wrong length: the batch is refused as a whole.
        await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync([Make("a", "narwhal"), new Doc { Id = "b", Text = "narwhal", Embedding = new float[] { 1, 2, 3 } }], Token));

        Assert.Equal("a", Assert.Single(await Search(collection, ["walrus"], 5)).Record.Id);
        Assert.Empty(await Search(collection, ["narwhal"], 5));
    }

    [Fact]
    public async Task EnsureCollectionExists_FileWithoutFullTextIndex_RebuildsIt()
    {
        using (var store = new SqliteVectorStore(_database.Path))
        {
            var collection = await OpenAsync(store);
            await collection.UpsertAsync([Make("a", "walrus facts"), Make("b", "other text")], Token);
        }

        // A file whose index is gone (dropped, or written by a tool that does not keep one); its triggers remain.
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={_database.Path}"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE \"docs__fts\"";
            drop.ExecuteNonQuery();
        }

        using (var store = new SqliteVectorStore(_database.Path))
        {
            var collection = await OpenAsync(store);
            Assert.Equal("a", Assert.Single(await Search(collection, ["walrus"], 5)).Record.Id);

            await collection.UpsertAsync(Make("c", "walrus again walrus"), Token);
            Assert.Equal(["c", "a"], (await Search(collection, ["walrus"], 5)).Select(r => r.Record.Id));
        }
    }

    [Fact]
    public async Task KeywordSearch_NoKeywords_ReturnsNothing()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);
        await collection.UpsertAsync(Make("a", "walrus"), Token);

        Assert.Empty(await Search(collection, [" ", ""], 5));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Search(collection, ["walrus"], 0));
    }

    [Fact]
    public async Task GetService_OffersKeywordSearch()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await OpenAsync(store);

        Assert.Same(collection, collection.GetService(typeof(IKeywordSearchable<Doc>)));
    }

    public void Dispose() => _database.Dispose();

    private static async Task<SqliteCollection<string, Doc>> OpenAsync(SqliteVectorStore store)
    {
        var collection = (SqliteCollection<string, Doc>)store.GetCollection<string, Doc>("docs");
        await collection.EnsureCollectionExistsAsync(Token);
        return collection;
    }

    private static Task<List<VectorSearchResult<Doc>>> Search(SqliteCollection<string, Doc> collection, string[] keywords, int top)
        => collection.KeywordSearchAsync(keywords, top, cancellationToken: Token).ToListAsync(Token).AsTask();

    private static Doc Make(string id, string text, string group = "") => new() { Id = id, Text = text, Group = group, Embedding = new float[] { 1, 0 } };

    /// <summary>A record with one full-text indexed property.</summary>
    public sealed class Doc
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Text { get; set; } = "";

        [VectorStoreData(IsIndexed = true)]
        public string Group { get; set; } = "";

        [VectorStoreVector(2)]
        public ReadOnlyMemory<float> Embedding { get; set; }
    }
}
