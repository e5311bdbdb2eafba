using Grpc.Core;
using Microsoft.Extensions.VectorData;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Tests.Seam;

/// <summary>The collection RPCs, checked at Qdrant.Client's <see cref="CallInvoker"/> seam.</summary>
public sealed class CollectionCallTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListCollectionNames_ReadsEveryName()
    {
        var seam = new QdrantCallSeam().On<ListCollectionsRequest>("Collections/List", _ => new ListCollectionsResponse
        {
            Collections = { new CollectionDescription { Name = "hotels" }, new CollectionDescription { Name = "notes" } },
        });
        using var store = seam.CreateStore();

        Assert.Equal(["hotels", "notes"], await store.ListCollectionNamesAsync(Ct).ToListAsync(Ct));
        Assert.Equal(new ListCollectionsRequest(), Assert.Single(seam.Calls).Request);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CollectionExists_AsksByName(bool exists)
    {
        var seam = new QdrantCallSeam().On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(exists));
        using var store = seam.CreateStore();

        Assert.Equal(exists, await store.CollectionExistsAsync("my notes", Ct));
        Assert.Equal(exists, await store.GetCollection<ulong, Hotel>("hotels").CollectionExistsAsync(Ct));

        Assert.Equal(
            [new CollectionExistsRequest { CollectionName = "my notes" }, new CollectionExistsRequest { CollectionName = "hotels" }],
            seam.Requests<CollectionExistsRequest>("Collections/CollectionExists"));
    }

    [Fact]
    public async Task EnsureCollectionExists_Unnamed_SendsVectorParamsAndHnsw()
    {
        var seam = new QdrantCallSeam()
            .On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(false))
            .On<CreateCollection>("Collections/Create", _ => QdrantAnswers.Collection());
        using var store = seam.CreateStore(o => { o.HnswM = 32; o.HnswEfConstruct = 200; });

        await store.GetCollection<Guid, Note>("notes").EnsureCollectionExistsAsync(Ct);

        Assert.Equal(
            new CreateCollection
            {
                CollectionName = "notes",
                VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = 3, Distance = Distance.Euclid } },
                HnswConfig = new HnswConfigDiff { M = 32, EfConstruct = 200 },
            },
            Assert.Single(seam.Requests<CreateCollection>("Collections/Create")));
        Assert.Empty(seam.Requests<CreateFieldIndexCollection>("Points/CreateFieldIndex"));
    }

    [Fact]
    public async Task EnsureCollectionExists_Named_CreatesSparseVectorAndPayloadIndexes()
    {
        var seam = new QdrantCallSeam()
            .On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(false))
            .On<CreateCollection>("Collections/Create", _ => QdrantAnswers.Collection())
            .On<CreateFieldIndexCollection>("Points/CreateFieldIndex", _ => QdrantAnswers.Completed());
        using var store = seam.CreateStore();

        await store.GetCollection<ulong, Hotel>("hotels", new QdrantCollectionOptions { HnswM = 8 }).EnsureCollectionExistsAsync(Ct);

        Assert.Equal(
            new CreateCollection
            {
                CollectionName = "hotels",
                VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { ["Embedding"] = new VectorParams { Size = 4, Distance = Distance.Cosine } } } },
                SparseVectorsConfig = new SparseVectorConfig { Map = { ["Description_bm25"] = new SparseVectorParams { Modifier = Modifier.Idf } } },
                HnswConfig = new HnswConfigDiff { M = 8 },
            },
            Assert.Single(seam.Requests<CreateCollection>("Collections/Create")));
        CreateFieldIndexCollection Index(string field, FieldType type) => new() { CollectionName = "hotels", FieldName = field, FieldType = type, Wait = true };
        Assert.Equal(
            [
                Index("Name", FieldType.Keyword), Index("Rating", FieldType.Integer), Index("Price", FieldType.Float), Index("Open", FieldType.Bool),
                Index("Opened", FieldType.Datetime), Index("Tags", FieldType.Keyword), Index("Description", FieldType.Text),
            ],
            seam.Requests<CreateFieldIndexCollection>("Points/CreateFieldIndex"));
    }

    [Fact]
    public async Task EnsureCollectionExists_TwoVectors_NamesThemAndMapsDotAndManhattan()
    {
        var seam = new QdrantCallSeam()
            .On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(false))
            .On<CreateCollection>("Collections/Create", _ => QdrantAnswers.Collection());
        using var store = seam.CreateStore();

        await store.GetCollection<ulong, TwoVectors>("two").EnsureCollectionExistsAsync(Ct);

        var map = Assert.Single(seam.Requests<CreateCollection>("Collections/Create")).VectorsConfig.ParamsMap.Map;
        Assert.Equal(new VectorParams { Size = 2, Distance = Distance.Dot }, map["Title"]);
        Assert.Equal(new VectorParams { Size = 3, Distance = Distance.Manhattan }, map["body"]);
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public async Task EnsureCollectionExists_WhenPresent_CreatesNothing()
    {
        var seam = new QdrantCallSeam().On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(true));
        using var store = seam.CreateStore();

        await store.GetCollection<ulong, Hotel>("hotels").EnsureCollectionExistsAsync(Ct);

        Assert.Equal("Collections/CollectionExists", Assert.Single(seam.Calls).Rpc);
    }

    [Fact]
    public async Task EnsureCollectionExists_CreatedConcurrently_AlreadyExistsIsNotAnError()
    {
        var seam = new QdrantCallSeam()
            .On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(false))
            .On("Collections/Create", QdrantAnswers.Throw<CreateCollection>(QdrantAnswers.Failure(StatusCode.AlreadyExists, "Wrong input: Collection `notes` already exists!")));
        using var store = seam.CreateStore();

        await store.GetCollection<Guid, Note>("notes").EnsureCollectionExistsAsync(Ct);

        Assert.Equal(["Collections/CollectionExists", "Collections/Create"], seam.Calls.Select(c => c.Rpc));
    }

    [Fact]
    public async Task EnsureCollectionDeleted_DeletesAndIgnoresMissing()
    {
        var seam = new QdrantCallSeam()
            .Once<DeleteCollection>("Collections/Delete", _ => QdrantAnswers.Collection(true))
            .Once<DeleteCollection>("Collections/Delete", _ => QdrantAnswers.Collection(false))
            .Once("Collections/Delete", QdrantAnswers.Throw<DeleteCollection>(QdrantAnswers.Failure(StatusCode.NotFound, "Not found: Collection `notes` doesn't exist!")));
        using var store = seam.CreateStore();

        await store.GetCollection<Guid, Note>("notes").EnsureCollectionDeletedAsync(Ct);
        await store.EnsureCollectionDeletedAsync("notes", Ct);
        await store.EnsureCollectionDeletedAsync("notes", Ct);

        Assert.All(seam.Requests<DeleteCollection>("Collections/Delete"), r => Assert.Equal(new DeleteCollection { CollectionName = "notes" }, r));
        Assert.Equal(3, seam.Calls.Count);
    }

    [Fact]
    public void Metadata_NamesQdrantAndTheCollection_AndTheClientIsReachable()
    {
        using var store = new QdrantCallSeam().CreateStore();
        using var collection = store.GetCollection<ulong, Hotel>("hotels");

        Assert.Equal("qdrant", ((VectorStoreMetadata)store.GetService(typeof(VectorStoreMetadata))!).VectorStoreSystemName);
        var metadata = (VectorStoreCollectionMetadata)collection.GetService(typeof(VectorStoreCollectionMetadata))!;
        Assert.Equal(("qdrant", "hotels"), (metadata.VectorStoreSystemName, metadata.CollectionName));
        Assert.Same(collection, collection.GetService(typeof(IKeywordHybridSearchable<Hotel>)));
        Assert.Same(store.GetService(typeof(QdrantClient)), collection.GetService(typeof(QdrantClient)));
    }
}
