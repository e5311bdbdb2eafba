using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.VectorData;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Tests.Seam;

/// <summary>Failures, retries, the overall timeout and cancellation, at the CallInvoker seam.</summary>
public sealed class ErrorAndRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerError_BecomesVectorStoreExceptionWithDetailStatusAndOperation_NotRetried()
    {
        var seam = new QdrantCallSeam().On("Points/Query", QdrantAnswers.Throw<QueryPoints>(
            QdrantAnswers.Failure(StatusCode.InvalidArgument, "Wrong input: Vector dimension error: expected dim: 4, got 3")));
        using var store = seam.CreateStore();

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.GetCollection<ulong, Hotel>("hotels")
            .SearchAsync(new float[] { 1, 2, 3 }, 1, cancellationToken: Ct).ToListAsync(Ct).AsTask());

        Assert.IsAssignableFrom<VectorStoreException>(e);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Wrong input: Vector dimension error: expected dim: 4, got 3", e.QdrantError);
        Assert.Equal(("Search", "hotels", "qdrant"), (e.OperationName, e.CollectionName, e.VectorStoreSystemName));
        Assert.Contains("InvalidArgument", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected dim: 4", e.Message, StringComparison.Ordinal);
        Assert.IsType<RpcException>(e.InnerException);
        Assert.Single(seam.Calls);
    }

    [Theory]
    [InlineData(StatusCode.NotFound, "Not found: Collection `missing` doesn't exist!")]
    [InlineData(StatusCode.Unauthenticated, "Must provide an API key or an Authorization bearer token")]
    [InlineData(StatusCode.PermissionDenied, "Forbidden: read-only key")]
    public async Task Refusals_CarryTheStatusAndText(StatusCode status, string detail)
    {
        var seam = new QdrantCallSeam().On("Points/Get", QdrantAnswers.Throw<GetPoints>(QdrantAnswers.Failure(status, detail)));
        using var store = seam.CreateStore();

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.GetCollection<ulong, Hotel>("missing").GetAsync(1UL, cancellationToken: Ct));

        Assert.Equal((status, detail, "Get"), (e.StatusCode, e.QdrantError, e.OperationName));
        Assert.Contains(detail, e.Message, StringComparison.Ordinal);
        Assert.Single(seam.Calls);
    }

    [Fact]
    public async Task ResourceExhausted_WaitsForRetryAfterThenSucceeds()
    {
        var seam = new QdrantCallSeam()
            .Once("Collections/CollectionExists", QdrantAnswers.Throw<CollectionExistsRequest>(
                QdrantAnswers.Failure(StatusCode.ResourceExhausted, "Rate limiting exceeded: Write rate limit exceeded", ("retry-after", "1"))))
            .On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(true));
        using var store = seam.CreateStore();
        var clock = Stopwatch.StartNew();

        Assert.True(await store.CollectionExistsAsync("hotels", Ct));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed}, before retry-after");
        Assert.Equal(2, seam.Calls.Count);
    }

    [Fact]
    public async Task Unavailable_IsRetriedWithBackoff_ResendingTheSameRequest()
    {
        var unavailable = QdrantAnswers.Throw<UpsertPoints>(QdrantAnswers.Failure(StatusCode.Unavailable, "Shard temporarily unavailable: shard is being transferred"));
        var seam = new QdrantCallSeam()
            .Once("Points/Upsert", unavailable)
            .Once("Points/Upsert", unavailable)
            .On<UpsertPoints>("Points/Upsert", _ => QdrantAnswers.Completed());
        using var store = seam.CreateStore();

        await store.GetCollection<Guid, Note>("notes").UpsertAsync(new Note { Id = Guid.NewGuid(), Vector = [1, 2, 3] }, Ct);

        var requests = seam.Requests<UpsertPoints>("Points/Upsert");
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(requests[0], r));
    }

    [Fact]
    public async Task Retries_AreBounded()
    {
        var seam = new QdrantCallSeam().On("Collections/CollectionExists", QdrantAnswers.Throw<CollectionExistsRequest>(QdrantAnswers.Failure(StatusCode.Unavailable, "unavailable")));
        using var store = seam.CreateStore(o => o.MaxRetries = 2);

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains("could not be reached or is unavailable", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, seam.Calls.Count);
    }

    [Fact]
    public async Task Timeout_BoundsTheWholeOperation()
    {
        var seam = new QdrantCallSeam { Delay = TimeSpan.FromSeconds(5) }.On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(true));
        using var store = seam.CreateStore(o => o.Timeout = TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Null(e.StatusCode);
        Assert.Contains("within 0.3 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_IsOperationCanceled_NotAFailure()
    {
        var seam = new QdrantCallSeam { Delay = TimeSpan.FromSeconds(5) }.On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(true));
        using var store = seam.CreateStore();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CollectionExistsAsync("hotels", cancel.Token));

        Assert.Equal(cancel.Token, e.CancellationToken);
    }
}
