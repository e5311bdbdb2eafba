using Microsoft.Extensions.AI;
using AgentKit.VectorStores.Conformance;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests.Live;

/// <summary>
/// The shared vector store behaviour suite against a real Qdrant server at <c>QDRANT_URL</c> (with
/// <c>QDRANT_API_KEY</c> when the server needs one), plus what only Qdrant's mapping needs checking live: every
/// payload type round-tripped with <see cref="ulong"/> keys, and filtered, paged, ordered search over them. Every
/// test is skipped with the reason "QDRANT_URL not set" when the variable is not set.
/// <c>QDRANT_URL</c> is the gRPC address. Run: <c>docker run -p 6334:6334 qdrant/qdrant</c>, then
/// <c>QDRANT_URL=http://localhost:6334 dotnet test --project tests/AgentKit.VectorStores.Qdrant.Tests</c>.
/// </summary>
public sealed class QdrantLiveTests : VectorStoreConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Url => Environment.GetEnvironmentVariable("QDRANT_URL");

    /// <inheritdoc />
    protected override string? SkipReason => Url is null ? "QDRANT_URL not set" : null;

    /// <summary>Qdrant's distances: Cosine, Dot, Euclid and Manhattan (the others are refused by the connector).</summary>
    protected override IReadOnlyList<string> DistanceFunctions { get; } =
    [
        DistanceFunction.CosineSimilarity, DistanceFunction.DotProductSimilarity, DistanceFunction.EuclideanDistance, DistanceFunction.ManhattanDistance,
    ];

    /// <inheritdoc />
    protected override VectorStore CreateStore() => new QdrantVectorStore(LiveOptions());

    /// <inheritdoc />
    protected override VectorStore CreateStore(IEmbeddingGenerator embeddingGenerator)
    {
        var options = LiveOptions();
        options.EmbeddingGenerator = embeddingGenerator;
        return new QdrantVectorStore(options);
    }

    private static QdrantVectorStoreOptions LiveOptions() => new()
    {
        Endpoint = new Uri(Url!),
        ApiKey = Environment.GetEnvironmentVariable("QDRANT_API_KEY"),
    };

    [Fact]
    public async Task Crud_RoundTripsEveryPayloadTypeWithUlongKeys()
    {
        SkipIfUnavailable();
        var collection = await HotelsAsync();
        var hotel = NewHotel(1, "quiet rooms by the sea", [1, 0, 0, 0]);

        await collection.UpsertAsync(hotel, Ct);
        var read = await collection.GetAsync(1UL, new RecordRetrievalOptions { IncludeVectors = true }, Ct);

        Assert.NotNull(read);
        Assert.Equal((hotel.Name, hotel.Rating, hotel.Price, hotel.Open, hotel.Opened, hotel.Description), (read.Name, read.Rating, read.Price, read.Open, read.Opened, read.Description));
        Assert.Equal(hotel.Tags, read.Tags);
        Assert.Equal(hotel.Embedding.ToArray(), read.Embedding.ToArray());

        await collection.DeleteAsync(1UL, Ct);
        Assert.Null(await collection.GetAsync(1UL, cancellationToken: Ct));
    }

    [Fact]
    public async Task Search_OnPayloadFilters_SkipsRanksAndOrders()
    {
        SkipIfUnavailable();
        var collection = await HotelsAsync();
        await collection.UpsertAsync(
            [NewHotel(1, "a", [1, 0, 0, 0], rating: 5), NewHotel(2, "b", [0.9f, 0.1f, 0, 0], rating: 2), NewHotel(3, "c", [0, 1, 0, 0], rating: 5), NewHotel(4, "d", [0.8f, 0.2f, 0, 0], rating: 4)], Ct);

        var all = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 4, cancellationToken: Ct).ToListAsync(Ct);
        var filtered = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 2,
            new VectorSearchOptions<Hotel> { Filter = h => h.Rating >= 4, Skip = 1 }, Ct).ToListAsync(Ct);
        var ordered = await collection.GetAsync(h => h.Open, 10, new FilteredRecordRetrievalOptions<Hotel> { OrderBy = o => o.Descending(h => h.Rating) }, Ct).ToListAsync(Ct);

        Assert.Equal([1UL, 2, 4, 3], all.Select(r => r.Record.Id));
        Assert.Equal([4UL, 3], filtered.Select(r => r.Record.Id));
        Assert.Equal([5, 5, 4, 2], ordered.Select(h => h.Rating));
    }

    private async Task<VectorStoreCollection<ulong, Hotel>> HotelsAsync()
    {
        var collection = Store.GetCollection<ulong, Hotel>(NewName());
        await collection.EnsureCollectionExistsAsync(Ct);
        return collection;
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
}
