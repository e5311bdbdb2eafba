using System.Text.Json.Nodes;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

public sealed class PointContractTests
{
    private static readonly DateTimeOffset Opened = new(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Hotel NewHotel(ulong id, string description = "quiet rooms near the sea") => new()
    {
        Id = id,
        Name = $"Hotel {id}",
        Rating = 4,
        Price = 99.5,
        Open = true,
        Opened = Opened,
        Tags = ["pool", "spa"],
        Description = description,
        City = null,
        Embedding = new float[] { 0.1f, 0.2f, 0.3f, 0.4f },
    };

    private static JsonObject HotelPayload(string name) => new()
    {
        ["Name"] = name,
        ["Rating"] = 5,
        ["Price"] = 120.25,
        ["Open"] = false,
        ["Opened"] = "2024-05-06T05:08:09Z",
        ["Tags"] = new JsonArray("wifi"),
        ["Description"] = "by the lake",
        ["city_code"] = "OSL",
    };

    [Fact]
    public async Task Upsert_SendsBatchesWithWaitAndFullPoints()
    {
        await using var server = new QdrantContractServer();
        server.On("PUT", "/collections/hotels/points", QdrantReply.Updated());
        using var store = server.CreateStore(o => o.UpsertBatchSize = 2);
        var hotels = store.GetCollection<ulong, Hotel>("hotels");

        await hotels.UpsertAsync([NewHotel(1), NewHotel(2), NewHotel(3), NewHotel(4), NewHotel(5)], Ct);

        var requests = server.RequestsTo("PUT", "/collections/hotels/points");
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal("wait=true", r.Query));
        Assert.Equal([2, 2, 1], requests.Select(r => QdrantContractServer.Body(r)["points"]!.AsArray().Count));
        var point = QdrantContractServer.Body(requests[0])["points"]![0]!;
        Assert.Equal(1UL, point["id"]!.GetValue<ulong>());
        Assert.Equal(
            """{"Name":"Hotel 1","Rating":4,"Price":99.5,"Open":true,"Opened":"2024-05-06T05:08:09Z","Tags":["pool","spa"],"Description":"quiet rooms near the sea","city_code":null}""",
            point["payload"]!.ToJsonString());
        Assert.Equal("[0.1,0.2,0.3,0.4]", point["vector"]!["Embedding"]!.ToJsonString());
        var sparse = point["vector"]!["Description_bm25"]!;
        Assert.Equal(5, sparse["indices"]!.AsArray().Count);
        Assert.Equal(5, sparse["values"]!.AsArray().Count);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Upsert_EmptyGuidKey_IsGeneratedAndWrittenBack()
    {
        await using var server = new QdrantContractServer();
        server.On("PUT", "/collections/notes/points", QdrantReply.Updated());
        using var store = server.CreateStore();
        var note = new Note { Text = "hello", Count = 3, Vector = [1, 2, 3] };

        await store.GetCollection<Guid, Note>("notes").UpsertAsync(note, Ct);

        Assert.NotEqual(Guid.Empty, note.Id);
        var point = QdrantContractServer.Body(Assert.Single(server.Requests))["points"]![0]!;
        Assert.Equal(note.Id.ToString("D"), (string)point["id"]!);
        Assert.Equal("[1,2,3]", point["vector"]!.ToJsonString());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Get_ByIds_AsksForPayloadAndVectorSingular_AndMapsEveryType()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/hotels/points", QdrantReply.Ok(new JsonArray(
            QdrantJson.Record(7, HotelPayload("Lakeside"), new JsonObject { ["Embedding"] = QdrantJson.Floats(1, 0, 0, 0) }))));
        using var store = server.CreateStore();

        var hotel = await store.GetCollection<ulong, Hotel>("hotels").GetAsync(7UL, new RecordRetrievalOptions { IncludeVectors = true }, Ct);

        Assert.Equal("""{"ids":[7],"with_payload":true,"with_vector":true}""", QdrantContractServer.Body(Assert.Single(server.Requests)).ToJsonString());
        Assert.NotNull(hotel);
        Assert.Equal((7UL, "Lakeside", 5, 120.25, false), (hotel.Id, hotel.Name, hotel.Rating, hotel.Price, hotel.Open));
        Assert.Equal(Opened, hotel.Opened);
        Assert.Equal(["wifi"], hotel.Tags);
        Assert.Equal("OSL", hotel.City);
        Assert.Equal([1f, 0, 0, 0], hotel.Embedding.ToArray());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull_AndEmptyKeysSendNothing()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/notes/points", QdrantReply.Ok(new JsonArray()));
        using var store = server.CreateStore();
        var notes = store.GetCollection<Guid, Note>("notes");

        Assert.Null(await notes.GetAsync(Guid.NewGuid(), cancellationToken: Ct));
        Assert.Empty(await notes.GetAsync([], cancellationToken: Ct).ToListAsync(Ct));
        await notes.DeleteAsync([], Ct);

        var body = QdrantContractServer.Body(Assert.Single(server.Requests));
        Assert.False(body["with_vector"]!.GetValue<bool>());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Delete_ByIdsAndByFilter_WaitForCompletion()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/hotels/points/delete", QdrantReply.Updated());
        using var store = server.CreateStore();
        var hotels = store.GetCollection<ulong, Hotel>("hotels");

        await hotels.DeleteAsync(3UL, Ct);
        await hotels.DeleteAsync([4UL, 5UL], Ct);
        await hotels.DeleteAsync(h => h.Rating < 2, Ct);

        var requests = server.RequestsTo("POST", "/collections/hotels/points/delete");
        Assert.All(requests, r => Assert.Equal("wait=true", r.Query));
        Assert.Equal(
            ["""{"points":[3]}""", """{"points":[4,5]}""", """{"filter":{"must":[{"key":"Rating","range":{"lt":2}}]}}"""],
            requests.Select(r => QdrantContractServer.Body(r).ToJsonString()));
        server.AssertNoViolations();
    }

    [Fact]
    public async Task GetByFilter_OrderedScroll_AsksForSkipPlusTopAndDropsSkipped()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/hotels/points/scroll", QdrantReply.Ok(new JsonObject
        {
            ["points"] = new JsonArray(
                QdrantJson.Record(1, HotelPayload("a")), QdrantJson.Record(2, HotelPayload("b")), QdrantJson.Record(3, HotelPayload("c"))),
        }));
        using var store = server.CreateStore();

        var hotels = await store.GetCollection<ulong, Hotel>("hotels")
            .GetAsync(h => h.Open, 2, new FilteredRecordRetrievalOptions<Hotel> { Skip = 1, OrderBy = o => o.Descending(h => h.Rating) }, Ct)
            .ToListAsync(Ct);

        Assert.Equal(["b", "c"], hotels.Select(h => h.Name));
        Assert.Equal(
            """{"limit":3,"filter":{"must":[{"key":"Open","match":{"value":true}}]},"with_payload":true,"with_vector":false,"order_by":{"key":"Rating","direction":"desc"}}""",
            QdrantContractServer.Body(Assert.Single(server.Requests)).ToJsonString());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task GetByFilter_Unordered_FollowsNextPageOffset()
    {
        await using var server = new QdrantContractServer();
        var first = Guid.Parse("550e8400-e29b-41d4-a716-446655440000");
        var second = Guid.Parse("650e8400-e29b-41d4-a716-446655440000");
        JsonObject Payload(string text) => new() { ["Text"] = text, ["Count"] = 1 };
        server.Once("POST", "/collections/notes/points/scroll", QdrantReply.Ok(new JsonObject
              {
                  ["points"] = new JsonArray(QdrantJson.Record(first.ToString(), Payload("one"))),
                  ["next_page_offset"] = second.ToString(),
              }))
              .Once("POST", "/collections/notes/points/scroll", QdrantReply.Ok(new JsonObject
              {
                  ["points"] = new JsonArray(QdrantJson.Record(second.ToString(), Payload("two"))),
                  ["next_page_offset"] = null,
              }));
        using var store = server.CreateStore();

        var notes = await store.GetCollection<Guid, Note>("notes").GetAsync(n => n.Count >= 1, 5, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal([first, second], notes.Select(n => n.Id));
        var bodies = server.Requests.Select(r => QdrantContractServer.Body(r)).ToList();
        Assert.Equal(5, (int)bodies[0]["limit"]!);
        Assert.Null(bodies[0]["offset"]);
        Assert.Equal((4, second.ToString()), ((int)bodies[1]["limit"]!, (string)bodies[1]["offset"]!));
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Search_SendsQueryWithUsingFilterLimitOffsetThreshold_AndReadsScores()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/hotels/points/query", QdrantReply.Ok(new JsonObject
        {
            ["points"] = new JsonArray(QdrantJson.Scored(9, 0.93, HotelPayload("Best")), QdrantJson.Scored(4, 0.71, HotelPayload("Next"))),
        }));
        using var store = server.CreateStore();

        var results = await store.GetCollection<ulong, Hotel>("hotels").SearchAsync(
            new ReadOnlyMemory<float>([1, 0, 0, 0]), 2,
            new VectorSearchOptions<Hotel> { Filter = h => h.Rating >= 4 && h.Name != "Closed", Skip = 3, ScoreThreshold = 0.5 }, Ct).ToListAsync(Ct);

        Assert.Equal([(9UL, 0.93), (4UL, 0.71)], results.Select(r => (r.Record.Id, Math.Round(r.Score!.Value, 2))));
        Assert.Equal(
            """{"query":[1,0,0,0],"using":"Embedding","filter":{"must":[{"key":"Rating","range":{"gte":4}}],"must_not":[{"key":"Name","match":{"value":"Closed"}}]},"score_threshold":0.5,"limit":2,"offset":3,"with_vector":false,"with_payload":true}""",
            QdrantContractServer.Body(Assert.Single(server.Requests)).ToJsonString());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Search_UnnamedFlatVector_AsksForExactSearchWithoutUsing_AndReadsVectors()
    {
        await using var server = new QdrantContractServer();
        var id = Guid.NewGuid();
        server.On("POST", "/collections/notes/points/query", QdrantReply.Ok(new JsonObject
        {
            ["points"] = new JsonArray(QdrantJson.Scored(id.ToString(), 1.5, new JsonObject { ["Text"] = "x", ["Count"] = 2 }, QdrantJson.Floats(1, 2, 3))),
        }));
        using var store = server.CreateStore();

        var result = Assert.Single(await store.GetCollection<Guid, Note>("notes")
            .SearchAsync(new float[] { 1, 2, 2 }, 1, new VectorSearchOptions<Note> { IncludeVectors = true }, Ct).ToListAsync(Ct));

        Assert.Equal((id, 2L, 1.5), (result.Record.Id, result.Record.Count, result.Score));
        Assert.Equal([1f, 2, 3], result.Record.Vector);
        Assert.Equal(
            """{"query":[1,2,2],"params":{"exact":true},"limit":1,"with_vector":true,"with_payload":true}""",
            QdrantContractServer.Body(Assert.Single(server.Requests)).ToJsonString());
        server.AssertNoViolations();
    }

    [Fact]
    public async Task HybridSearch_PrefetchesDenseAndSparse_FusedByRrf()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/hotels/points/query", QdrantReply.Ok(new JsonObject
        {
            ["points"] = new JsonArray(QdrantJson.Scored(2, 0.5, HotelPayload("Fused"))),
        }));
        using var store = server.CreateStore();
        var hotels = (IKeywordHybridSearchable<Hotel>)store.GetCollection<ulong, Hotel>("hotels");

        var result = Assert.Single(await hotels.HybridSearchAsync(
            new ReadOnlyMemory<float>([0, 1, 0, 0]), ["Sea view", "sea"], 3,
            new HybridSearchOptions<Hotel> { Skip = 2, Filter = h => h.Open }, Ct).ToListAsync(Ct));

        Assert.Equal("Fused", result.Record.Name);
        var body = QdrantContractServer.Body(Assert.Single(server.Requests));
        Assert.Equal("""{"fusion":"rrf"}""", body["query"]!.ToJsonString());
        Assert.Equal((3, 2), ((int)body["limit"]!, (int)body["offset"]!));
        var prefetch = body["prefetch"]!.AsArray();
        Assert.Equal(2, prefetch.Count);
        Assert.Equal("""{"query":[0,1,0,0],"using":"Embedding","filter":{"must":[{"key":"Open","match":{"value":true}}]},"limit":5}""", prefetch[0]!.ToJsonString());
        Assert.Equal("Description_bm25", (string)prefetch[1]!["using"]!);
        Assert.Equal(5, (int)prefetch[1]!["limit"]!);
        var sparse = prefetch[1]!["query"]!;
        var indices = sparse["indices"]!.AsArray().Select(i => i!.GetValue<uint>()).ToList();
        Assert.Equal(2, indices.Count); // "sea" twice and "view": distinct terms only
        Assert.Equal(indices.Order(), indices);
        Assert.All(sparse["values"]!.AsArray(), v => Assert.Equal(1f, v!.GetValue<float>()));
        server.AssertNoViolations();
    }

    [Fact]
    public async Task DynamicCollection_UpsertsAndReadsDictionaries()
    {
        await using var server = new QdrantContractServer();
        server.On("PUT", "/collections/dyn/points", QdrantReply.Updated())
              .On("POST", "/collections/dyn/points", QdrantReply.Ok(new JsonArray(
                  QdrantJson.Record(11, new JsonObject { ["title"] = "stored", ["year"] = 1999 }, QdrantJson.Floats(0.5f, 0.5f)))));
        using var store = server.CreateStore();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("id", typeof(ulong)),
                new VectorStoreDataProperty("title", typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty("year", typeof(int)),
                new VectorStoreVectorProperty("vec", typeof(ReadOnlyMemory<float>), 2),
            ],
        };
        var collection = store.GetDynamicCollection("dyn", definition);

        await collection.UpsertAsync(new Dictionary<string, object?> { ["id"] = 11UL, ["title"] = "new", ["year"] = 2001, ["vec"] = new ReadOnlyMemory<float>([1, 0]) }, Ct);
        var read = await collection.GetAsync(11UL, new RecordRetrievalOptions { IncludeVectors = true }, Ct);

        Assert.Equal(
            """{"points":[{"id":11,"vector":[1,0],"payload":{"title":"new","year":2001}}]}""",
            QdrantContractServer.Body(server.RequestsTo("PUT", "/collections/dyn/points")[0]).ToJsonString());
        Assert.NotNull(read);
        Assert.Equal((11UL, "stored", 1999), ((ulong)read["id"]!, (string)read["title"]!, (int)read["year"]!));
        Assert.Equal([0.5f, 0.5f], ((ReadOnlyMemory<float>)read["vec"]!).ToArray());
        server.AssertNoViolations();
    }
}
