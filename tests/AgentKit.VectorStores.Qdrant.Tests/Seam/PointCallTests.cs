using AgentKit.VectorStores.Conformance;
using AgentKit.VectorStores.Qdrant.Hybrid;
using Microsoft.Extensions.VectorData;
using Qdrant.Client.Grpc;
using Range = Qdrant.Client.Grpc.Range;

namespace AgentKit.VectorStores.Qdrant.Tests.Seam;

/// <summary>The point RPCs (upsert, get, delete, scroll, query), checked at Qdrant.Client's CallInvoker seam.</summary>
#pragma warning disable CS0612 // Vector.data/indices: the legacy vector form the connector writes for servers back to v1.10
public sealed class PointCallTests
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

    private static Dictionary<string, Value> HotelPayload(string name) => new()
    {
        ["Name"] = new Value { StringValue = name },
        ["Rating"] = new Value { IntegerValue = 5 },
        ["Price"] = new Value { DoubleValue = 120.25 },
        ["Open"] = new Value { BoolValue = false },
        ["Opened"] = new Value { StringValue = "2024-05-06T05:08:09Z" },
        ["Tags"] = new Value { ListValue = new ListValue { Values = { new Value { StringValue = "wifi" } } } },
        ["Description"] = new Value { StringValue = "by the lake" },
        ["city_code"] = new Value { StringValue = "OSL" },
    };

    private static RetrievedPoint Retrieved(PointId id, Dictionary<string, Value> payload, VectorsOutput? vectors = null)
    {
        var point = new RetrievedPoint { Id = id, Payload = { payload } };
        if (vectors is not null)
        {
            point.Vectors = vectors;
        }

        return point;
    }

    private static ScoredPoint Scored(PointId id, float score, Dictionary<string, Value> payload, VectorsOutput? vectors = null)
    {
        var point = new ScoredPoint { Id = id, Score = score, Version = 3, Payload = { payload } };
        if (vectors is not null)
        {
            point.Vectors = vectors;
        }

        return point;
    }

    private static VectorsOutput Named(string name, params float[] values) =>
        new() { Vectors = new NamedVectorsOutput { Vectors = { [name] = new VectorOutput { Dense = new DenseVector { Data = { values } } } } } };

    [Fact]
    public async Task Upsert_SendsBatchesWithWaitAndFullPoints()
    {
        var seam = new QdrantCallSeam().On<UpsertPoints>("Points/Upsert", _ => QdrantAnswers.Completed());
        using var store = seam.CreateStore(o => o.UpsertBatchSize = 2);

        await store.GetCollection<ulong, Hotel>("hotels").UpsertAsync([NewHotel(1), NewHotel(2), NewHotel(3), NewHotel(4), NewHotel(5)], Ct);

        var requests = seam.Requests<UpsertPoints>("Points/Upsert");
        Assert.Equal([2, 2, 1], requests.Select(r => r.Points.Count));
        Assert.All(requests, r => Assert.Equal(("hotels", true), (r.CollectionName, r.Wait)));
        var sparse = Bm25SparseEncoder.EncodeDocument("quiet rooms near the sea");
        var expected = new PointStruct
        {
            Id = new PointId { Num = 1 },
            Payload =
            {
                ["Name"] = new Value { StringValue = "Hotel 1" },
                ["Rating"] = new Value { IntegerValue = 4 },
                ["Price"] = new Value { DoubleValue = 99.5 },
                ["Open"] = new Value { BoolValue = true },
                ["Opened"] = new Value { StringValue = "2024-05-06T05:08:09Z" },
                ["Tags"] = new Value { ListValue = new ListValue { Values = { new Value { StringValue = "pool" }, new Value { StringValue = "spa" } } } },
                ["Description"] = new Value { StringValue = "quiet rooms near the sea" },
                ["city_code"] = new Value { NullValue = NullValue.NullValue },
            },
            Vectors = new Vectors
            {
                Vectors_ = new NamedVectors
                {
                    Vectors =
                    {
                        ["Embedding"] = new Vector { Data = { 0.1f, 0.2f, 0.3f, 0.4f } },
                        ["Description_bm25"] = new Vector { Data = { sparse.Values }, Indices = new SparseIndices { Data = { sparse.Indices } } },
                    },
                },
            },
        };
        Assert.Equal(expected, requests[0].Points[0]);
        Assert.Equal(5, sparse.Indices.Length);
    }

    [Fact]
    public async Task Upsert_EmptyGuidKey_IsGeneratedAndWrittenBack_WithTheUnnamedVector()
    {
        var seam = new QdrantCallSeam().On<UpsertPoints>("Points/Upsert", _ => QdrantAnswers.Completed());
        using var store = seam.CreateStore();
        var note = new Note { Text = "hello", Count = 3, Vector = [1, 2, 3] };

        await store.GetCollection<Guid, Note>("notes").UpsertAsync(note, Ct);

        Assert.NotEqual(Guid.Empty, note.Id);
        var point = Assert.Single(Assert.Single(seam.Requests<UpsertPoints>("Points/Upsert")).Points);
        Assert.Equal(new PointId { Uuid = note.Id.ToString("D") }, point.Id);
        Assert.Equal(new Vectors { Vector = new Vector { Data = { 1f, 2f, 3f } } }, point.Vectors);
        Assert.Equal(new Value { IntegerValue = 3 }, point.Payload["Count"]);
    }

    [Fact]
    public async Task Upsert_NonFiniteVector_IsRefusedBeforeAnythingIsSent()
    {
        var seam = new QdrantCallSeam();
        using var store = seam.CreateStore();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.GetCollection<Guid, Note>("notes").UpsertAsync(new Note { Id = Guid.NewGuid(), Vector = [1, float.NaN, 3] }, Ct));

        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
        Assert.Empty(seam.Calls);
    }

    [Fact]
    public async Task Get_ByIds_AsksForPayloadAndVectors_AndMapsEveryType()
    {
        var seam = new QdrantCallSeam().On<GetPoints>("Points/Get", _ => new GetResponse { Result = { Retrieved(new PointId { Num = 7 }, HotelPayload("Lakeside"), Named("Embedding", 1, 0, 0, 0)) } });
        using var store = seam.CreateStore();

        var hotel = await store.GetCollection<ulong, Hotel>("hotels").GetAsync(7UL, new RecordRetrievalOptions { IncludeVectors = true }, Ct);

        Assert.Equal(
            new GetPoints
            {
                CollectionName = "hotels",
                Ids = { new PointId { Num = 7 } },
                WithPayload = new WithPayloadSelector { Enable = true },
                WithVectors = new WithVectorsSelector { Enable = true },
            },
            Assert.Single(seam.Requests<GetPoints>("Points/Get")));
        Assert.NotNull(hotel);
        Assert.Equal((7UL, "Lakeside", 5, 120.25, false), (hotel.Id, hotel.Name, hotel.Rating, hotel.Price, hotel.Open));
        Assert.Equal(Opened, hotel.Opened);
        Assert.Equal(["wifi"], hotel.Tags);
        Assert.Equal("OSL", hotel.City);
        Assert.Equal([1f, 0, 0, 0], hotel.Embedding.ToArray());
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull_AndEmptyKeysSendNothing()
    {
        var seam = new QdrantCallSeam().On<GetPoints>("Points/Get", _ => new GetResponse());
        using var store = seam.CreateStore();
        var notes = store.GetCollection<Guid, Note>("notes");

        Assert.Null(await notes.GetAsync(Guid.NewGuid(), cancellationToken: Ct));
        Assert.Empty(await notes.GetAsync([], cancellationToken: Ct).ToListAsync(Ct));
        await notes.DeleteAsync([], Ct);

        Assert.False(Assert.Single(seam.Requests<GetPoints>("Points/Get")).WithVectors.Enable);
        Assert.Single(seam.Calls);
    }

    [Fact]
    public async Task Get_PayloadOfTheWrongKind_NamesThePointAndTheField()
    {
        var payload = HotelPayload("x");
        payload["Rating"] = new Value { StringValue = "five" };
        var seam = new QdrantCallSeam().On<GetPoints>("Points/Get", _ => new GetResponse { Result = { Retrieved(new PointId { Num = 3 }, payload) } });
        using var store = seam.CreateStore();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetCollection<ulong, Hotel>("hotels").GetAsync(3UL, cancellationToken: Ct));

        Assert.Contains("Point 3: payload field 'Rating' (StringValue) cannot be read as Int32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ByIdsAndByFilter_WaitForCompletion()
    {
        var seam = new QdrantCallSeam().On<DeletePoints>("Points/Delete", _ => QdrantAnswers.Completed());
        using var store = seam.CreateStore();
        var hotels = store.GetCollection<ulong, Hotel>("hotels");

        await hotels.DeleteAsync(3UL, Ct);
        await hotels.DeleteAsync([4UL, 5UL], Ct);
        await hotels.DeleteAsync(h => h.Rating < 2, Ct);

        DeletePoints Delete(PointsSelector selector) => new() { CollectionName = "hotels", Wait = true, Points = selector };
        Assert.Equal(
            [
                Delete(new PointsSelector { Points = new PointsIdsList { Ids = { new PointId { Num = 3 } } } }),
                Delete(new PointsSelector { Points = new PointsIdsList { Ids = { new PointId { Num = 4 }, new PointId { Num = 5 } } } }),
                Delete(new PointsSelector { Filter = new Filter { Must = { new Condition { Field = new FieldCondition { Key = "Rating", Range = new Range { Lt = 2 } } } } } }),
            ],
            seam.Requests<DeletePoints>("Points/Delete"));
    }

    [Fact]
    public async Task GetByFilter_OrderedScroll_AsksForSkipPlusTopAndDropsSkipped()
    {
        var seam = new QdrantCallSeam().On<ScrollPoints>("Points/Scroll", _ => new ScrollResponse
        {
            Result = { Retrieved(new PointId { Num = 1 }, HotelPayload("a")), Retrieved(new PointId { Num = 2 }, HotelPayload("b")), Retrieved(new PointId { Num = 3 }, HotelPayload("c")) },
        });
        using var store = seam.CreateStore();

        var hotels = await store.GetCollection<ulong, Hotel>("hotels")
            .GetAsync(h => h.Open, 2, new FilteredRecordRetrievalOptions<Hotel> { Skip = 1, OrderBy = o => o.Descending(h => h.Rating) }, Ct)
            .ToListAsync(Ct);

        Assert.Equal(["b", "c"], hotels.Select(h => h.Name));
        Assert.Equal(
            new ScrollPoints
            {
                CollectionName = "hotels",
                Limit = 3,
                Filter = new Filter { Must = { new Condition { Field = new FieldCondition { Key = "Open", Match = new Match { Boolean = true } } } } },
                WithPayload = new WithPayloadSelector { Enable = true },
                WithVectors = new WithVectorsSelector { Enable = false },
                OrderBy = new OrderBy { Key = "Rating", Direction = Direction.Desc },
            },
            Assert.Single(seam.Requests<ScrollPoints>("Points/Scroll")));
    }

    [Fact]
    public async Task GetByFilter_Unordered_FollowsNextPageOffset()
    {
        var first = Guid.Parse("550e8400-e29b-41d4-a716-446655440000");
        var second = Guid.Parse("650e8400-e29b-41d4-a716-446655440000");
        Dictionary<string, Value> Payload(string text) => new() { ["Text"] = new Value { StringValue = text }, ["Count"] = new Value { IntegerValue = 1 } };
        var seam = new QdrantCallSeam()
            .Once<ScrollPoints>("Points/Scroll", _ => new ScrollResponse
            {
                Result = { Retrieved(new PointId { Uuid = first.ToString() }, Payload("one")) },
                NextPageOffset = new PointId { Uuid = second.ToString() },
            })
            .Once<ScrollPoints>("Points/Scroll", _ => new ScrollResponse { Result = { Retrieved(new PointId { Uuid = second.ToString() }, Payload("two")) } });
        using var store = seam.CreateStore();

        var notes = await store.GetCollection<Guid, Note>("notes").GetAsync(n => n.Count >= 1, 5, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal([first, second], notes.Select(n => n.Id));
        var requests = seam.Requests<ScrollPoints>("Points/Scroll");
        Assert.Equal((5u, false), (requests[0].Limit, requests[0].Offset is not null));
        Assert.Equal((4u, new PointId { Uuid = second.ToString() }), (requests[1].Limit, requests[1].Offset));
    }

    [Fact]
    public async Task Search_SendsQueryWithUsingFilterLimitOffsetThreshold_AndReadsScores()
    {
        var seam = new QdrantCallSeam().On<QueryPoints>("Points/Query", _ => new QueryResponse
        {
            Result = { Scored(new PointId { Num = 9 }, 0.93f, HotelPayload("Best")), Scored(new PointId { Num = 4 }, 0.71f, HotelPayload("Next")) },
        });
        using var store = seam.CreateStore();

        var results = await store.GetCollection<ulong, Hotel>("hotels").SearchAsync(
            new ReadOnlyMemory<float>([1, 0, 0, 0]), 2,
            new VectorSearchOptions<Hotel> { Filter = h => h.Rating >= 4 && h.Name != "Closed", Skip = 3, ScoreThreshold = 0.5 }, Ct).ToListAsync(Ct);

        Assert.Equal([(9UL, 0.93), (4UL, 0.71)], results.Select(r => (r.Record.Id, Math.Round(r.Score!.Value, 2))));
        Assert.Equal(
            new QueryPoints
            {
                CollectionName = "hotels",
                Query = new Query { Nearest = new VectorInput { Dense = new DenseVector { Data = { 1f, 0, 0, 0 } } } },
                Using = "Embedding",
                Filter = new Filter
                {
                    Must = { new Condition { Field = new FieldCondition { Key = "Rating", Range = new Range { Gte = 4 } } } },
                    MustNot = { new Condition { Field = new FieldCondition { Key = "Name", Match = new Match { Keyword = "Closed" } } } },
                },
                ScoreThreshold = 0.5f,
                Limit = 2,
                Offset = 3,
                WithPayload = new WithPayloadSelector { Enable = true },
                WithVectors = new WithVectorsSelector { Enable = false },
            },
            Assert.Single(seam.Requests<QueryPoints>("Points/Query")));
    }

    [Fact]
    public async Task Search_UnnamedFlatVector_AsksForExactSearchWithoutUsing_AndReadsLegacyVectors()
    {
        var id = Guid.NewGuid();
        var vectors = new VectorsOutput { Vector = new VectorOutput { Data = { 1f, 2f, 3f } } };
        var seam = new QdrantCallSeam().On<QueryPoints>("Points/Query", _ => new QueryResponse
        {
            Result = { Scored(new PointId { Uuid = id.ToString() }, 1.5f, new() { ["Text"] = new Value { StringValue = "x" }, ["Count"] = new Value { IntegerValue = 2 } }, vectors) },
        });
        using var store = seam.CreateStore();

        var result = Assert.Single(await store.GetCollection<Guid, Note>("notes")
            .SearchAsync(new float[] { 1, 2, 2 }, 1, new VectorSearchOptions<Note> { IncludeVectors = true }, Ct).ToListAsync(Ct));

        Assert.Equal((id, 2L, 1.5), (result.Record.Id, result.Record.Count, result.Score));
        Assert.Equal([1f, 2, 3], result.Record.Vector);
        var query = Assert.Single(seam.Requests<QueryPoints>("Points/Query"));
        Assert.False(query.HasUsing);
        Assert.Equal(new SearchParams { Exact = true }, query.Params);
        Assert.Equal((1UL, 0UL, true), (query.Limit, query.Offset, query.WithVectors.Enable));
    }

    [Fact]
    public async Task HybridSearch_PrefetchesDenseAndSparse_FusedByRrf()
    {
        var seam = new QdrantCallSeam().On<QueryPoints>("Points/Query", _ => new QueryResponse { Result = { Scored(new PointId { Num = 2 }, 0.5f, HotelPayload("Fused")) } });
        using var store = seam.CreateStore();
        var hotels = (IKeywordHybridSearchable<Hotel>)store.GetCollection<ulong, Hotel>("hotels");

        var result = Assert.Single(await hotels.HybridSearchAsync(
            new ReadOnlyMemory<float>([0, 1, 0, 0]), ["Sea view", "sea"], 3,
            new HybridSearchOptions<Hotel> { Skip = 2, Filter = h => h.Open }, Ct).ToListAsync(Ct));

        Assert.Equal("Fused", result.Record.Name);
        var keywords = Bm25SparseEncoder.EncodeQuery(["Sea view", "sea"]);
        Assert.Equal(2, keywords.Indices.Length); // "sea" twice and "view": distinct terms only
        var open = new Filter { Must = { new Condition { Field = new FieldCondition { Key = "Open", Match = new Match { Boolean = true } } } } };
        Assert.Equal(
            new QueryPoints
            {
                CollectionName = "hotels",
                Prefetch =
                {
                    new PrefetchQuery
                    {
                        Query = new Query { Nearest = new VectorInput { Dense = new DenseVector { Data = { 0f, 1, 0, 0 } } } }, Using = "Embedding", Filter = open, Limit = 5,
                    },
                    new PrefetchQuery
                    {
                        Query = new Query { Nearest = new VectorInput { Sparse = new SparseVector { Indices = { keywords.Indices }, Values = { 1f, 1f } } } },
                        Using = "Description_bm25",
                        Filter = open,
                        Limit = 5,
                    },
                },
                Query = new Query { Fusion = Fusion.Rrf },
                Limit = 3,
                Offset = 2,
                WithPayload = new WithPayloadSelector { Enable = true },
                WithVectors = new WithVectorsSelector { Enable = false },
            },
            Assert.Single(seam.Requests<QueryPoints>("Points/Query")));
    }

    [Fact]
    public async Task DynamicCollection_UpsertsAndReadsDictionaries()
    {
        var seam = new QdrantCallSeam()
            .On<UpsertPoints>("Points/Upsert", _ => QdrantAnswers.Completed())
            .On<GetPoints>("Points/Get", _ => new GetResponse
            {
                Result = { Retrieved(new PointId { Num = 11 }, new() { ["title"] = new Value { StringValue = "stored" }, ["year"] = new Value { IntegerValue = 1999 } }, new VectorsOutput { Vector = new VectorOutput { Dense = new DenseVector { Data = { 0.5f, 0.5f } } } }) },
            });
        using var store = seam.CreateStore();
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
            new PointStruct
            {
                Id = new PointId { Num = 11 },
                Payload = { ["title"] = new Value { StringValue = "new" }, ["year"] = new Value { IntegerValue = 2001 } },
                Vectors = new Vectors { Vector = new Vector { Data = { 1f, 0f } } },
            },
            Assert.Single(Assert.Single(seam.Requests<UpsertPoints>("Points/Upsert")).Points));
        Assert.NotNull(read);
        Assert.Equal((11UL, "stored", 1999), ((ulong)read["id"]!, (string)read["title"]!, (int)read["year"]!));
        Assert.Equal([0.5f, 0.5f], ((ReadOnlyMemory<float>)read["vec"]!).ToArray());
    }

    [Fact]
    public async Task GetAndDelete_NullKey_ThrowArgumentNullException_WithoutACall()
    {
        var seam = new QdrantCallSeam();
        using var store = seam.CreateStore();
        var notes = store.GetDynamicCollection("notes", new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(Guid)), new VectorStoreVectorProperty("Vector", typeof(float[]), 3)],
        });

        await Assert.ThrowsAsync<ArgumentNullException>(() => notes.GetAsync((object)null!, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await notes.GetAsync([Guid.NewGuid(), null!], cancellationToken: Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => notes.DeleteAsync((object)null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => notes.DeleteAsync([Guid.NewGuid(), null!], Ct));

        Assert.Empty(seam.Calls);
    }

    [Fact]
    public async Task StoreEmbeddingGenerator_EmbedsUpsertedTextAndSearchInput()
    {
        var seam = new QdrantCallSeam()
            .On<UpsertPoints>("Points/Upsert", _ => QdrantAnswers.Completed())
            .On<QueryPoints>("Points/Query", _ => new QueryResponse());
        var generator = new LetterCountEmbeddingGenerator();
        using var store = seam.CreateStore(o => o.EmbeddingGenerator = generator);
        var texts = store.GetCollection<Guid, TextRecord>("texts");

        await texts.UpsertAsync(new TextRecord { Id = Guid.NewGuid(), Text = "t", Embedding = "aab" }, Ct);
        await texts.SearchAsync("ccc", 1, cancellationToken: Ct).ToListAsync(Ct);

        var point = Assert.Single(Assert.Single(seam.Requests<UpsertPoints>("Points/Upsert")).Points);
        Assert.Equal(new Vector { Data = { 2.01f, 1.01f, 0.01f, 0.01f } }, point.Vectors.Vector);
        Assert.Equal(new DenseVector { Data = { 0.01f, 0.01f, 3.01f, 0.01f } }, Assert.Single(seam.Requests<QueryPoints>("Points/Query")).Query.Nearest.Dense);
        Assert.Equal(["aab", "ccc"], generator.Texts);
    }
}
