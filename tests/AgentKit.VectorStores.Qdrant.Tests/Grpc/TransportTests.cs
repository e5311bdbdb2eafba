using AgentKit.Testing.Http;
using Grpc.Core;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Tests.Grpc;

/// <summary>The store's own Qdrant.Client over a real HTTP/2 connection: address, API key, unreachable servers.</summary>
public sealed class TransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OwnClient_CallsTheEndpointOverHttp2_WithTheApiKeyOnlyWhenSet()
    {
        await using var server = new LoopbackGrpcServer(_ => new CollectionExistsResponse { Result = new CollectionExists { Exists = true } });

        using (var store = new QdrantVectorStore(new QdrantVectorStoreOptions { Endpoint = server.Address, ApiKey = "secret-key" }))
        {
            Assert.True(await store.CollectionExistsAsync("hotels", Ct));
        }

        using (var anonymous = new QdrantVectorStore(new QdrantVectorStoreOptions { Endpoint = server.Address }))
        {
            Assert.True(await anonymous.CollectionExistsAsync("notes", Ct));
        }

        Assert.Equal(["/qdrant.Collections/CollectionExists", "/qdrant.Collections/CollectionExists"], server.Calls.Select(c => c.Path));
        Assert.Equal(["secret-key", null], server.Calls.Select(c => c.Headers.GetValueOrDefault("api-key")));
        Assert.Equal(["hotels", "notes"], server.Calls.Select(c => CollectionExistsRequest.Parser.ParseFrom(c.Message).CollectionName));
    }

    [Fact]
    public async Task Unreachable_IsAVectorStoreException_WithUnavailable()
    {
        using var store = new QdrantVectorStore(new QdrantVectorStoreOptions { Endpoint = LoopbackHttpServer.ClosedAddress(), MaxRetries = 0 });

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.Equal((StatusCode.Unavailable, "CollectionExists"), (e.StatusCode, e.OperationName));
        Assert.Contains("could not be reached", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestPort_TheFailureNamesTheGrpcPort()
    {
        using var store = new QdrantVectorStore(new QdrantVectorStoreOptions { Endpoint = new Uri("http://127.0.0.1:6333/"), MaxRetries = 0, Timeout = TimeSpan.FromSeconds(5) });

        var e = await Assert.ThrowsAsync<QdrantVectorStoreException>(() => store.CollectionExistsAsync("hotels", Ct));

        Assert.Contains("gRPC port is 6334", e.Message, StringComparison.Ordinal);
    }
}
