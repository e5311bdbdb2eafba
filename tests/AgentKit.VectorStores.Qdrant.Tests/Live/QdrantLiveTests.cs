using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests.Live;

/// <summary>
/// Behaviour against a real Qdrant server at <c>QDRANT_URL</c> (with <c>QDRANT_API_KEY</c> when the server needs
/// one); skipped, with the reason shown, when the variable is not set. Written against the VectorData
/// abstractions only, through <see cref="CreateStore"/>, so it can later derive from the shared conformance base.
/// Run: <c>docker run -p 6333:6333 qdrant/qdrant</c>, then <c>QDRANT_URL=http://localhost:6333 dotnet test tests/AgentKit.VectorStores.Qdrant.Tests</c>.
/// </summary>
public class QdrantLiveTests
{
    private const string SkipReason = "QDRANT_URL not set";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Url => Environment.GetEnvironmentVariable("QDRANT_URL");

    /// <summary>The store under test; a fresh one per test.</summary>
    protected virtual VectorStore CreateStore() => new QdrantVectorStore(new HttpClient(), new QdrantVectorStoreOptions
    {
        Endpoint = new Uri(Url!),
        ApiKey = Environment.GetEnvironmentVariable("QDRANT_API_KEY"),
    });

    [Fact]
    public async Task Crud_RoundTripsEveryPayloadType()
    {
        await using var scope = await ScopeAsync<ulong, Hotel>();
        var hotel = NewHotel(1, "quiet rooms by the sea", [1, 0, 0, 0]);

        await scope.Collection.UpsertAsync(hotel, Ct);
        var read = await scope.Collection.GetAsync(1UL, new RecordRetrievalOptions { IncludeVectors = true }, Ct);

        Assert.NotNull(read);
        Assert.Equal((hotel.Name, hotel.Rating, hotel.Price, hotel.Open, hotel.Opened, hotel.Description), (read.Name, read.Rating, read.Price, read.Open, read.Opened, read.Description));
        Assert.Equal(hotel.Tags, read.Tags);
        Assert.Equal(hotel.Embedding.ToArray(), read.Embedding.ToArray());

        await scope.Collection.DeleteAsync(1UL, Ct);
        Assert.Null(await scope.Collection.GetAsync(1UL, cancellationToken: Ct));
    }

    [Fact]
    public async Task Search_FiltersSkipsAndRanks()
    {
        await using var scope = await ScopeAsync<ulong, Hotel>();
        await scope.Collection.UpsertAsync(
            [NewHotel(1, "a", [1, 0, 0, 0], rating: 5), NewHotel(2, "b", [0.9f, 0.1f, 0, 0], rating: 2), NewHotel(3, "c", [0, 1, 0, 0], rating: 5), NewHotel(4, "d", [0.8f, 0.2f, 0, 0], rating: 4)], Ct);

        var all = await scope.Collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 4, cancellationToken: Ct).ToListAsync(Ct);
        var filtered = await scope.Collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 2,
            new VectorSearchOptions<Hotel> { Filter = h => h.Rating >= 4, Skip = 1 }, Ct).ToListAsync(Ct);

        Assert.Equal([1UL, 2, 4, 3], all.Select(r => r.Record.Id));
        Assert.Equal([4UL, 3], filtered.Select(r => r.Record.Id));
        var ordered = await scope.Collection.GetAsync(h => h.Open, 10, new FilteredRecordRetrievalOptions<Hotel> { OrderBy = o => o.Descending(h => h.Rating) }, Ct).ToListAsync(Ct);
        Assert.Equal([5, 5, 4, 2], ordered.Select(h => h.Rating));
    }

    [Fact]
    public async Task Hybrid_FindsTheKeywordMatch()
    {
        await using var scope = await ScopeAsync<ulong, Hotel>();
        await scope.Collection.UpsertAsync(
            [NewHotel(1, "mountain cabin with fireplace", [1, 0, 0, 0]), NewHotel(2, "seaside apartment with balcony", [0, 1, 0, 0])], Ct);
        var hybrid = (IKeywordHybridSearchable<Hotel>)scope.Collection;

        var results = await hybrid.HybridSearchAsync(new ReadOnlyMemory<float>([0.5f, 0.5f, 0, 0]), ["balcony"], 1, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(2UL, Assert.Single(results).Record.Id);
    }

    [Fact]
    public async Task Collections_AreListedAndDeleted()
    {
        await using var scope = await ScopeAsync<Guid, Note>();

        Assert.Contains(scope.Collection.Name, await scope.Store.ListCollectionNamesAsync(Ct).ToListAsync(Ct));
        await scope.Store.EnsureCollectionDeletedAsync(scope.Collection.Name, Ct);
        Assert.False(await scope.Collection.CollectionExistsAsync(Ct));
    }

    private static Hotel NewHotel(ulong id, string description, float[] vector, int rating = 4) => new()
    {
        Id = id,
        Name = $"Hotel {id}",
        Rating = rating,
        Price = 80 + id,
        Open = true,
        Opened = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Tags = ["pool"],
        Description = description,
        Embedding = vector,
    };

    private async Task<Scope<TKey, TRecord>> ScopeAsync<TKey, TRecord>()
        where TKey : notnull
        where TRecord : class
    {
        Assert.SkipUnless(Url is not null, SkipReason);
        var store = CreateStore();
        var collection = store.GetCollection<TKey, TRecord>("agentkit_live_" + Guid.NewGuid().ToString("N"));
        await collection.EnsureCollectionExistsAsync(Ct);
        return new Scope<TKey, TRecord>(store, collection);
    }

    private sealed record Scope<TKey, TRecord>(VectorStore Store, VectorStoreCollection<TKey, TRecord> Collection) : IAsyncDisposable
        where TKey : notnull
        where TRecord : class
    {
        public async ValueTask DisposeAsync()
        {
            await Collection.EnsureCollectionDeletedAsync(CancellationToken.None);
            Collection.Dispose();
            Store.Dispose();
        }
    }
}
