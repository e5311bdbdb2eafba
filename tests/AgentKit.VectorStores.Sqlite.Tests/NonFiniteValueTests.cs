using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>
/// NaN and infinities, which SQLite treats unlike .NET: it cannot store or bind NaN (Microsoft.Data.Sqlite throws),
/// and JSON has no infinity. A NaN value is refused by name on upsert; filters comparing with NaN keep C#'s meaning
/// (only <c>!=</c> holds); lists holding infinities or NaN filter like <c>Contains</c> — in SQL (<c>GetAsync</c>) and
/// in memory (<c>SearchAsync</c> over an indexed property) alike. Vectors must hold finite numbers (as Qdrant's).
/// </summary>
public sealed class NonFiniteValueTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Upsert_NaNValue_RefusedNamingThePropertyAndKey_NothingWritten()
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await CreateAsync(store);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync([new Priced { Id = 9, Price = 1 }, new Priced { Id = 10, Price = double.NaN }]));

        Assert.Contains("'Price'", error.Message, StringComparison.Ordinal);
        Assert.Contains("key '10'", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
        Assert.Null(await collection.GetAsync(9));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public async Task Vectors_NonFinite_RefusedOnUpsertAndSearch(float bad)
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await CreateAsync(store);

        var upsert = await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync(new Priced { Id = 11, Price = 1, Embedding = new float[] { 1, bad } }));
        var search = await Assert.ThrowsAsync<ArgumentException>(() => collection.SearchAsync(new float[] { bad, 0 }, 3).ToListAsync().AsTask());

        Assert.Contains("'Embedding' of the record with key '11' holds NaN or infinity", upsert.Message, StringComparison.Ordinal);
        Assert.Contains("holds NaN or infinity", search.Message, StringComparison.Ordinal);
        Assert.Null(await collection.GetAsync(11));
    }

    public static TheoryData<string, int[]> NaNFilters => new()
    {
        { "==", [] },
        { "!=", [1, 2, 3, 4, 5] },
        { "<", [] },
        { ">=", [] },
        { "!(==)", [1, 2, 3, 4, 5] },
        { "inline list", [2] },
        { "captured list", [2, 4] },
        { "captured list, negated", [1, 3, 5] },
    };

    [Theory]
    [MemberData(nameof(NaNFilters))]
    public async Task Filter_WithNaNOrInfinity_KeepsCSharpMeaning_InSqlAndInMemory(string shape, int[] expected)
    {
        using var store = new SqliteVectorStore(_database.Path);
        var collection = await CreateAsync(store);
        var nan = double.NaN;
        double?[] list = [2.5, double.NaN, double.PositiveInfinity];
        Expression<Func<Priced, bool>> filter = shape switch
        {
            "==" => r => r.Price == nan,
            "!=" => r => r.Price != nan,
            "<" => r => r.Price < nan,
            ">=" => r => nan >= r.Price,
            "!(==)" => r => !(r.Price == nan),
            "inline list" => r => new double?[] { 2.5, double.NaN }.Contains(r.Price),
            "captured list" => r => list.Contains(r.Price),
            _ => r => !list.Contains(r.Price),
        };
        var csharp = Records().Where(filter.Compile()).Select(r => r.Id).Order().ToArray();

        var bySql = (await collection.GetAsync(filter, 10).ToListAsync()).Select(r => r.Id).Order().ToArray();
        var bySearch = (await collection.SearchAsync(new float[] { 1, 0 }, 10, new VectorSearchOptions<Priced> { Filter = filter }).ToListAsync()).Select(r => r.Record.Id).Order().ToArray();

        Assert.Equal(expected, csharp);
        Assert.Equal(expected, bySql);
        Assert.Equal(expected, bySearch);
    }

    private static Priced[] Records() =>
    [
        new() { Id = 1, Price = 1 },
        new() { Id = 2, Price = 2.5 },
        new() { Id = 3, Price = null },
        new() { Id = 4, Price = double.PositiveInfinity },
        new() { Id = 5, Price = double.NegativeInfinity },
    ];

    private static async Task<VectorStoreCollection<int, Priced>> CreateAsync(SqliteVectorStore store)
    {
        var collection = store.GetCollection<int, Priced>("priced");
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(Records());
        return collection;
    }

    public sealed class Priced
    {
        [VectorStoreKey]
        public int Id { get; set; }

        [VectorStoreData(IsIndexed = true)]
        public double? Price { get; set; }

        [VectorStoreVector(2)]
        public ReadOnlyMemory<float> Embedding { get; set; } = new float[] { 1, 0 };
    }
}
