using System.Text.Json.Nodes;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

public sealed class CollectionContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListCollectionNames_ReadsEveryName()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections", QdrantReply.Ok(new JsonObject
        {
            ["collections"] = new JsonArray(new JsonObject { ["name"] = "hotels" }, new JsonObject { ["name"] = "notes" }),
        }));
        using var store = server.CreateStore();

        var names = await store.ListCollectionNamesAsync(Ct).ToListAsync(Ct);

        Assert.Equal(["hotels", "notes"], names);
        server.AssertNoViolations();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CollectionExists_UsesExistsEndpoint(bool exists)
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/hotels/exists", QdrantReply.Ok(new JsonObject { ["exists"] = exists }));
        using var store = server.CreateStore();

        Assert.Equal(exists, await store.CollectionExistsAsync("hotels", Ct));
        Assert.Equal(exists, await store.GetCollection<ulong, Hotel>("hotels").CollectionExistsAsync(Ct));
        server.AssertNoViolations();
    }

    [Fact]
    public async Task EnsureCollectionExists_Unnamed_SendsVectorParamsAndHnsw()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/notes/exists", QdrantReply.Ok(new JsonObject { ["exists"] = false }))
              .On("PUT", "/collections/notes", QdrantReply.Ok(true));
        using var store = server.CreateStore(o => { o.HnswM = 32; o.HnswEfConstruct = 200; });

        await store.GetCollection<Guid, Note>("notes").EnsureCollectionExistsAsync(Ct);

        var create = QdrantContractServer.Body(Assert.Single(server.RequestsTo("PUT", "/collections/notes")));
        Assert.Equal("""{"vectors":{"size":3,"distance":"Euclid"},"hnsw_config":{"m":32,"ef_construct":200}}""", create.ToJsonString());
        Assert.Empty(server.RequestsTo("PUT", "/collections/notes/index"));
        server.AssertNoViolations();
    }

    [Fact]
    public async Task EnsureCollectionExists_Named_CreatesSparseVectorAndPayloadIndexes()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/hotels/exists", QdrantReply.Ok(new JsonObject { ["exists"] = false }))
              .On("PUT", "/collections/hotels", QdrantReply.Ok(true))
              .On("PUT", "/collections/hotels/index", QdrantReply.Updated());
        using var store = server.CreateStore();

        await store.GetCollection<ulong, Hotel>("hotels", new QdrantCollectionOptions { HnswM = 8 }).EnsureCollectionExistsAsync(Ct);

        var create = QdrantContractServer.Body(Assert.Single(server.RequestsTo("PUT", "/collections/hotels")));
        Assert.Equal(
            """{"vectors":{"Embedding":{"size":4,"distance":"Cosine"}},"sparse_vectors":{"Description_bm25":{"modifier":"idf"}},"hnsw_config":{"m":8}}""",
            create.ToJsonString());
        var indexes = server.RequestsTo("PUT", "/collections/hotels/index");
        Assert.All(indexes, r => Assert.Equal("wait=true", r.Query));
        var schemas = indexes.Select(r => QdrantContractServer.Body(r)).ToDictionary(b => (string)b["field_name"]!, b => (string)b["field_schema"]!);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Name"] = "keyword", ["Rating"] = "integer", ["Price"] = "float", ["Open"] = "bool",
                ["Opened"] = "datetime", ["Tags"] = "keyword", ["Description"] = "text",
            },
            schemas);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task EnsureCollectionExists_TwoVectors_NamesThemAndMapsDotAndManhattan()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/two/exists", QdrantReply.Ok(new JsonObject { ["exists"] = false }))
              .On("PUT", "/collections/two", QdrantReply.Ok(true));
        using var store = server.CreateStore();

        await store.GetCollection<ulong, TwoVectors>("two").EnsureCollectionExistsAsync(Ct);

        Assert.Equal(
            """{"vectors":{"Title":{"size":2,"distance":"Dot"},"body":{"size":3,"distance":"Manhattan"}}}""",
            QdrantContractServer.Body(Assert.Single(server.RequestsTo("PUT", "/collections/two"))).ToJsonString());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task EnsureCollectionExists_WhenPresent_CreatesNothing()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/hotels/exists", QdrantReply.Ok(new JsonObject { ["exists"] = true }));
        using var store = server.CreateStore();

        await store.GetCollection<ulong, Hotel>("hotels").EnsureCollectionExistsAsync(Ct);

        Assert.Single(server.Requests);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task EnsureCollectionExists_CreatedConcurrently_409IsNotAnError()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/notes/exists", QdrantReply.Ok(new JsonObject { ["exists"] = false }))
              .On("PUT", "/collections/notes", QdrantReply.Error(409, "Wrong input: Collection `notes` already exists!"));
        using var store = server.CreateStore();

        await store.GetCollection<Guid, Note>("notes").EnsureCollectionExistsAsync(Ct);

        server.AssertNoViolations();
    }

    [Fact]
    public async Task EnsureCollectionDeleted_DeletesAndIgnoresMissing()
    {
        await using var server = new QdrantContractServer();
        server.Once("DELETE", "/collections/notes", QdrantReply.Ok(true))
              .Once("DELETE", "/collections/notes", QdrantReply.Error(404, "Not found: Collection `notes` doesn't exist!"));
        using var store = server.CreateStore();

        await store.GetCollection<Guid, Note>("notes").EnsureCollectionDeletedAsync(Ct);
        await store.EnsureCollectionDeletedAsync("notes", Ct);

        Assert.Equal(2, server.RequestsTo("DELETE", "/collections/notes").Count);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task CollectionName_IsEscapedInThePath()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/my notes/exists", QdrantReply.Ok(new JsonObject { ["exists"] = true }));
        using var store = server.CreateStore();

        Assert.True(await store.CollectionExistsAsync("my notes", Ct));
        server.AssertNoViolations();
    }

    [Fact]
    public void Metadata_NamesQdrantAndTheCollection()
    {
        using var store = new QdrantVectorStore(new HttpClient(), new QdrantVectorStoreOptions { Endpoint = new Uri("http://localhost:6333") });
        using var collection = store.GetCollection<ulong, Hotel>("hotels");

        Assert.Equal("qdrant", store.GetService<VectorStoreMetadata>()!.VectorStoreSystemName);
        var metadata = collection.GetService<VectorStoreCollectionMetadata>()!;
        Assert.Equal(("qdrant", "hotels"), (metadata.VectorStoreSystemName, metadata.CollectionName));
        Assert.Same(collection, collection.GetService<IKeywordHybridSearchable<Hotel>>());
    }
}

internal static class ServiceExtensions
{
    public static T? GetService<T>(this VectorStore store) where T : class => (T?)store.GetService(typeof(T));

    public static T? GetService<T>(this VectorStoreCollection<ulong, Hotel> collection) where T : class => (T?)collection.GetService(typeof(T));
}
