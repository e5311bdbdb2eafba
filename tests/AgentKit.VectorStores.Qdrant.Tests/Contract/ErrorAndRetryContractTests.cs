using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests.Contract;

public sealed class ErrorAndRetryContractTests
{
    private static readonly QdrantReply Exists = QdrantReply.Ok(new JsonObject { ["exists"] = true });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ErrorEnvelope_BecomesVectorStoreExceptionWithMessageStatusAndOperation()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/hotels/points/query",
            QdrantReply.Error(400, "Wrong input: Vector dimension error: expected dim: 4, got 3"));
        using var store = server.CreateStore();

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.GetCollection<ulong, Hotel>("hotels")
            .SearchAsync(new float[] { 1, 2, 3 }, 1, cancellationToken: Ct).ToListAsync(Ct).AsTask());

        Assert.IsAssignableFrom<VectorStoreException>(e);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("Wrong input: Vector dimension error: expected dim: 4, got 3", e.QdrantError);
        Assert.Equal(("Search", "hotels", "qdrant"), (e.OperationName, e.CollectionName, e.VectorStoreSystemName));
        Assert.Contains("HTTP 400", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected dim: 4", e.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests); // 400 is not retried
        server.AssertNoViolations();
    }

    [Fact]
    public async Task NotFound_OnGet_IsAnError()
    {
        await using var server = new QdrantContractServer();
        server.On("POST", "/collections/missing/points", QdrantReply.Error(404, "Not found: Collection `missing` doesn't exist!"));
        using var store = server.CreateStore();

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.GetCollection<ulong, Hotel>("missing").GetAsync(1UL, cancellationToken: Ct));

        Assert.Equal((HttpStatusCode.NotFound, "Get"), (e.StatusCode, e.OperationName));
        Assert.Contains("doesn't exist", e.Message, StringComparison.Ordinal);
        server.AssertNoViolations();
    }

    [Theory]
    [InlineData(401, HttpStatusCode.Unauthorized, "Must provide an API key or an Authorization bearer token")]
    [InlineData(403, HttpStatusCode.Forbidden, "Forbidden: read-only key")]
    public async Task PlainTextAuthErrors_CarryTheText(int status, HttpStatusCode code, string text)
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections", QdrantReply.Plain(status, text));
        using var store = server.CreateStore(o => o.ApiKey = "wrong");

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.ListCollectionNamesAsync(Ct).ToListAsync(Ct).AsTask());

        Assert.Equal((code, text, "ListCollectionNames"), (e.StatusCode, e.QdrantError, e.OperationName));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfterThenSucceeds()
    {
        await using var server = new QdrantContractServer();
        server.Once("GET", "/collections/hotels/exists", QdrantReply.Error(429, "Too many requests").WithHeader("Retry-After", "1"))
              .On("GET", "/collections/hotels/exists", Exists);
        using var store = server.CreateStore();
        var clock = Stopwatch.StartNew();

        Assert.True(await store.CollectionExistsAsync("hotels", Ct));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed}, before Retry-After");
        Assert.Equal(2, server.Requests.Count);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task ServiceUnavailable_IsRetriedWithBackoff()
    {
        await using var server = new QdrantContractServer();
        server.Once("PUT", "/collections/notes/points", QdrantReply.Error(503, "Service Unavailable: shard is being transferred"))
              .Once("PUT", "/collections/notes/points", QdrantReply.Error(503, "Service Unavailable: shard is being transferred"))
              .On("PUT", "/collections/notes/points", QdrantReply.Updated());
        using var store = server.CreateStore();

        await store.GetCollection<Guid, Note>("notes").UpsertAsync(new Note { Id = Guid.NewGuid(), Vector = [1, 2, 3] }, Ct);

        var requests = server.RequestsTo("PUT", "/collections/notes/points");
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(requests[0].Body, r.Body)); // the same body is resent
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Retries_AreBounded()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/hotels/exists", QdrantReply.Error(503, "Service Unavailable"));
        using var store = server.CreateStore(o => o.MaxRetries = 2);

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Equal(3, server.Requests.Count);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Timeout_BoundsTheWholeOperation()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/hotels/exists", Exists with { Delay = TimeSpan.FromSeconds(5) });
        using var store = server.CreateStore(o => o.Timeout = TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Null(e.StatusCode);
        Assert.Contains("within 0.3 s", e.Message, StringComparison.Ordinal);
        server.AssertNoViolations();
    }

    [Fact]
    public async Task Unreachable_IsAVectorStoreException()
    {
        using var store = new QdrantVectorStore(new HttpClient(), new QdrantVectorStoreOptions { Endpoint = AgentKit.Testing.Http.LoopbackHttpServer.ClosedAddress() });

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.Contains("could not be reached", e.Message, StringComparison.Ordinal);
        Assert.Equal("CollectionExists", e.OperationName);
    }

    [Fact]
    public async Task ApiKey_IsSentOnEveryRequest_AndOnlyWhenSet()
    {
        await using var server = new QdrantContractServer();
        server.On("GET", "/collections/hotels/exists", Exists)
              .On("POST", "/collections/hotels/points", QdrantReply.Ok(new JsonArray()));
        using (var store = server.CreateStore(o => o.ApiKey = "secret-key"))
        {
            await store.CollectionExistsAsync("hotels", Ct);
            await store.GetCollection<ulong, Hotel>("hotels").GetAsync(1UL, cancellationToken: Ct);
        }

        using (var anonymous = server.CreateStore())
        {
            await anonymous.CollectionExistsAsync("hotels", Ct);
        }

        Assert.Equal(["secret-key", "secret-key", null], server.Requests.Select(r => r.Header("api-key")));
        server.AssertNoViolations();
    }

    [Fact]
    public async Task ContractViolation_IsCaughtByTheServer()
    {
        // Guards the guard: a body the schema forbids must be reported, or every other contract test is vacuous.
        await using var server = new QdrantContractServer();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync(
            "collections/hotels/points", new StringContent("""{"ids":[1],"with_vectors":true}""", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(server.Violations, v => v.Contains("with_vectors", StringComparison.Ordinal));
    }
}
