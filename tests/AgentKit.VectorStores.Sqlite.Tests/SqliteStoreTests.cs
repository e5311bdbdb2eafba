using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>SQLite-specific behaviour: key and data types, the file, schema checks, typed errors, other writers.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Keys_StringIntAndLong_RoundTrip()
    {
        using var store = new SqliteVectorStore(_database.Path);
        await AssertKeyRoundTripAsync(store, "alpha");
        await AssertKeyRoundTripAsync(store, 42);
        await AssertKeyRoundTripAsync(store, 1L << 40);
    }

    [Fact]
    public async Task DataTypes_RoundTripAndFilter()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = store.GetCollection<Guid, TypedRecord>("typed");
        await collection.EnsureCollectionExistsAsync();
        var when = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));
        var record = new TypedRecord
        {
            Amount = 12.5, Count = null, Created = new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc), Seen = when,
            Numbers = [1, 2, 3], Raw = [1, 2, 255], Embedding = new float[] { 1, 2 },
        };

        await collection.UpsertAsync(record);
        var read = await collection.GetAsync(record.Id, new RecordRetrievalOptions { IncludeVectors = true });
        var after = when.AddMinutes(-1);
        var byDate = await collection.GetAsync(r => r.Seen > after && r.Count == null && r.Numbers.Contains(2), 10).ToListAsync();

        Assert.NotEqual(Guid.Empty, record.Id);
        Assert.Equal(12.5, read!.Amount);
        Assert.Null(read.Count);
        Assert.Equal(record.Created, read.Created);
        Assert.Equal(when, read.Seen);
        Assert.Equal([1, 2, 3], read.Numbers);
        Assert.Equal(new byte[] { 1, 2, 255 }, read.Raw);
        Assert.Equal(new float[] { 1, 2 }, read.Embedding);
        Assert.Single(byDate);
    }

    [Fact]
    public void Open_File_IsInWalMode()
    {
        using var store = new SqliteVectorStore(_database.Path);
        using var connection = new SqliteConnection($"Data Source={_database.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Reopen_Records_ArePersisted()
    {
        using (var first = new SqliteVectorStore(_database.Path))
        {
            var collection = first.GetCollection<string, SimpleRecord>("kept");
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(new SimpleRecord { Id = "a", Name = "persisted", Embedding = new float[] { 1, 0 } });
        }

        using var second = new SqliteVectorStore(_database.Path);
        var reopened = second.GetCollection<string, SimpleRecord>("kept");

        Assert.Equal("persisted", (await reopened.GetAsync("a"))!.Name);
        Assert.Equal(["kept"], await second.ListCollectionNamesAsync().ToListAsync());
    }

    [Fact]
    public async Task OtherWriter_Changes_AreSeenBySearch()
    {
        using var reader = new SqliteVectorStore(_database.Path);
        using var writer = new SqliteVectorStore(_database.Path);
        var readCollection = reader.GetCollection<string, SimpleRecord>("shared");
        var writeCollection = writer.GetCollection<string, SimpleRecord>("shared");
        await readCollection.EnsureCollectionExistsAsync();
        await readCollection.UpsertAsync(new SimpleRecord { Id = "a", Name = "a", Embedding = new float[] { 1, 0 } });
        Assert.Equal("a", (await readCollection.SearchAsync(new float[] { 0, 1 }, 1).SingleAsync()).Record.Id);

        await writeCollection.UpsertAsync(new SimpleRecord { Id = "b", Name = "b", Embedding = new float[] { 0, 1 } });
        await writeCollection.DeleteAsync("a");

        var results = await readCollection.SearchAsync(new float[] { 0, 1 }, 5).ToListAsync();
        Assert.Equal("b", Assert.Single(results).Record.Id);
    }

    [Fact]
    public async Task EnsureExists_WithAnotherSchema_ThrowsVectorStoreException()
    {
        using var store = new SqliteVectorStore(_database.Path);
        await store.GetCollection<string, SimpleRecord>("schema").EnsureCollectionExistsAsync();

        var exception = await Assert.ThrowsAsync<VectorStoreException>(() => store.GetCollection<Guid, TypedRecord>("schema").EnsureCollectionExistsAsync());

        Assert.Contains("another schema", exception.Message, StringComparison.Ordinal);
        Assert.Equal("schema", exception.CollectionName);
    }

    [Fact]
    public async Task Operations_OnMissingCollection_ThrowVectorStoreException()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = store.GetCollection<string, SimpleRecord>("missing");

        var exception = await Assert.ThrowsAsync<VectorStoreException>(() => collection.UpsertAsync(new SimpleRecord { Id = "a", Embedding = new float[] { 1, 0 } }));

        Assert.Contains("EnsureCollectionExistsAsync", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_ThrowsTypedExceptionsNamingTheProblem()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = store.GetCollection<string, SimpleRecord>("bad");
        await collection.EnsureCollectionExistsAsync();

        var nullKey = await Assert.ThrowsAsync<ArgumentNullException>(() => collection.UpsertAsync(new SimpleRecord { Id = null!, Embedding = new float[] { 1, 0 } }));
        var wrongQuery = await Assert.ThrowsAsync<ArgumentException>(async () => await collection.SearchAsync(new float[] { 1, 0, 0 }, 1).ToListAsync());
        var unsupportedKey = Assert.ThrowsAny<Exception>(() => store.GetCollection<ulong, UlongKeyRecord>("ulong"));
        var unsupportedData = Assert.ThrowsAny<Exception>(() => store.GetCollection<string, DecimalRecord>("decimal"));
        var badName = Assert.Throws<ArgumentException>(() => store.GetCollection<string, SimpleRecord>("no spaces; please"));
        var filter = await Assert.ThrowsAsync<NotSupportedException>(async () => await collection.GetAsync(r => r.Name.Length > 2, 1).ToListAsync());

        Assert.Contains(nameof(SimpleRecord.Id), nullKey.Message, StringComparison.Ordinal);
        Assert.Contains("3 dimensions", wrongQuery.Message, StringComparison.Ordinal);
        Assert.Contains("UInt64", unsupportedKey.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(DecimalRecord.Price), unsupportedData.Message, StringComparison.Ordinal);
        Assert.Contains("collection name", badName.Message, StringComparison.Ordinal);
        Assert.Contains("Length", filter.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_InMemoryDatabase_IsRejected()
        => Assert.Throws<ArgumentException>(() => new SqliteVectorStore(":memory:"));

    [Fact]
    public async Task HybridSearch_WithTwoFullTextProperties_SearchesTheChosenOne()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = (SqliteCollection<string, TwoTextRecord>)store.GetCollection<string, TwoTextRecord>("twotext");
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(
        [
            new TwoTextRecord { Id = "title", Title = "zebra", Body = "nothing", Embedding = new float[] { 0, 1 } },
            new TwoTextRecord { Id = "body", Title = "nothing", Body = "zebra", Embedding = new float[] { 0, 1 } },
            new TwoTextRecord { Id = "near", Title = "nothing", Body = "nothing", Embedding = new float[] { 1, 0 } },
        ]);

        var results = await collection.HybridSearchAsync(new float[] { 1, 0 }, ["zebra"], 1, new HybridSearchOptions<TwoTextRecord> { AdditionalProperty = r => r.Body }).ToListAsync();

        Assert.Equal("body", Assert.Single(results).Record.Id);
    }

    public void Dispose() => _database.Dispose();

    private static async Task AssertKeyRoundTripAsync<TKey>(SqliteVectorStore store, TKey key)
        where TKey : notnull
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(TKey)),
                new VectorStoreDataProperty("Name", typeof(string)),
                new VectorStoreVectorProperty("Embedding", typeof(ReadOnlyMemory<float>), 2),
            ],
        };
        var collection = store.GetDynamicCollection("keys" + typeof(TKey).Name, definition);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new Dictionary<string, object?> { ["Id"] = key, ["Name"] = "n", ["Embedding"] = new ReadOnlyMemory<float>([1, 2]) });

        var read = await collection.GetAsync(key);
        var searched = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 2]), 1).SingleAsync();
        await collection.DeleteAsync(key);

        Assert.Equal(key, read!["Id"]);
        Assert.Equal(key, searched.Record["Id"]);
        Assert.Null(await collection.GetAsync(key));
    }

    /// <summary>A string-keyed record.</summary>
    public sealed class SimpleRecord
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string Name { get; set; } = "";

        [VectorStoreVector(2)]
        public ReadOnlyMemory<float> Embedding { get; set; }
    }

    /// <summary>A record with every kind of data column.</summary>
    public sealed class TypedRecord
    {
        [VectorStoreKey]
        public Guid Id { get; set; }

        [VectorStoreData(IsIndexed = true)]
        public double Amount { get; set; }

        [VectorStoreData]
        public int? Count { get; set; }

        [VectorStoreData]
        public DateTime Created { get; set; }

        [VectorStoreData(IsIndexed = true)]
        public DateTimeOffset Seen { get; set; }

        [VectorStoreData]
        public List<int> Numbers { get; set; } = [];

        [VectorStoreData]
        public byte[] Raw { get; set; } = [];

        [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanDistance)]
        public float[] Embedding { get; set; } = [];
    }

    /// <summary>A record with an unsupported key type.</summary>
    public sealed class UlongKeyRecord
    {
        [VectorStoreKey]
        public ulong Id { get; set; }
    }

    /// <summary>A record with an unsupported data type.</summary>
    public sealed class DecimalRecord
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public decimal Price { get; set; }
    }

    /// <summary>A record with two full-text properties.</summary>
    public sealed class TwoTextRecord
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Title { get; set; } = "";

        [VectorStoreData(IsFullTextIndexed = true)]
        public string Body { get; set; } = "";

        [VectorStoreVector(2)]
        public ReadOnlyMemory<float> Embedding { get; set; }
    }
}
