using AgentKit.VectorStores.Conformance;
using AgentKit.VectorStores.Qdrant.Tests.Seam;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Tests.Unit;

public sealed class ConfigurationTests
{
    private static readonly Uri Endpoint = new("http://localhost:6334");

    [Fact]
    public void Options_HaveDocumentedDefaults()
    {
        var options = new QdrantVectorStoreOptions();

        Assert.Equal((TimeSpan.FromSeconds(30), 3, 256, TimeSpan.FromMilliseconds(200)), (options.Timeout, options.MaxRetries, options.UpsertBatchSize, options.RetryBaseDelay));
        Assert.Null(options.Endpoint);
        Assert.Null(options.HasNamedVectors);
    }

    public static TheoryData<string, Action<QdrantVectorStoreOptions>> BadOptions => new()
    {
        { "Qdrant:Endpoint", o => o.Endpoint = null },
        { "Qdrant:Endpoint", o => o.Endpoint = new Uri("ftp://host/") },
        { "Qdrant:ApiKey", o => o.ApiKey = string.Empty },
        { "Qdrant:Timeout", o => o.Timeout = TimeSpan.Zero },
        { "Qdrant:MaxRetries", o => o.MaxRetries = 11 },
        { "Qdrant:RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.FromMinutes(2) },
        { "Qdrant:UpsertBatchSize", o => o.UpsertBatchSize = 0 },
        { "Qdrant:HnswM", o => o.HnswM = -1 },
        { "Qdrant:HnswEfConstruct", o => o.HnswEfConstruct = 3 },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_NamesTheBadKey(string key, Action<QdrantVectorStoreOptions> spoil)
    {
        var options = new QdrantVectorStoreOptions { Endpoint = Endpoint };
        spoil(options);

        Assert.StartsWith(key + " ", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        Assert.StartsWith(key + " ", Assert.Throws<ArgumentException>(() => new QdrantVectorStore(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnClient_NeedsNoEndpoint_ButOtherOptionsAreStillChecked()
    {
        using var client = new QdrantClient(new QdrantGrpcClient(new QdrantCallSeam()));

        using var store = new QdrantVectorStore(client);
        Assert.Same(client, store.GetService(typeof(QdrantClient)));
        var e = Assert.Throws<ArgumentException>(() => new QdrantVectorStore(client, new QdrantVectorStoreOptions { MaxRetries = -1 }));
        Assert.StartsWith("Qdrant:MaxRetries ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_MissingMessage_NamesTheGrpcPort()
    {
        Assert.Contains("http://localhost:6334/", Assert.Throws<ArgumentException>(new QdrantVectorStoreOptions().Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddQdrantVectorStore_RegistersOneStoreAsVectorStore()
    {
        var services = new ServiceCollection().AddQdrantVectorStore(o => { o.Endpoint = Endpoint; o.ApiKey = "k"; });
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<QdrantVectorStore>();
        Assert.Same(store, provider.GetRequiredService<VectorStore>());
        Assert.Equal("k", provider.GetRequiredService<IOptions<QdrantVectorStoreOptions>>().Value.ApiKey);
    }

    [Fact]
    public void AddQdrantVectorStore_WithoutAGenerator_TakesTheContainersEmbeddingGenerator()
    {
        var registered = new LetterCountEmbeddingGenerator();
        var own = new LetterCountEmbeddingGenerator();
        using var fromContainer = new ServiceCollection().AddSingleton<IEmbeddingGenerator>(registered).AddQdrantVectorStore(o => o.Endpoint = Endpoint).BuildServiceProvider();
        using var fromOptions = new ServiceCollection().AddSingleton<IEmbeddingGenerator>(registered)
            .AddQdrantVectorStore(o => { o.Endpoint = Endpoint; o.EmbeddingGenerator = own; }).BuildServiceProvider();

        Assert.Same(registered, fromContainer.GetRequiredService<IOptions<QdrantVectorStoreOptions>>().Value.EmbeddingGenerator);
        Assert.Same(own, fromOptions.GetRequiredService<IOptions<QdrantVectorStoreOptions>>().Value.EmbeddingGenerator);
    }

    [Fact]
    public async Task AddQdrantVectorStore_WithAClientFactory_UsesThatClientWithoutAnEndpoint()
    {
        var seam = new QdrantCallSeam().On<CollectionExistsRequest>("Collections/CollectionExists", _ => QdrantAnswers.Exists(true));
        using var client = new QdrantClient(new QdrantGrpcClient(seam));
        await using var provider = new ServiceCollection().AddSingleton(client).AddQdrantVectorStore(sp => sp.GetRequiredService<QdrantClient>(), o => o.UpsertBatchSize = 7)
            .BuildServiceProvider();

        var store = provider.GetRequiredService<VectorStore>();

        Assert.Same(client, store.GetService(typeof(QdrantClient)));
        Assert.True(await store.CollectionExistsAsync("hotels", TestContext.Current.CancellationToken));
        Assert.Equal("hotels", Assert.Single(seam.Requests<CollectionExistsRequest>("Collections/CollectionExists")).CollectionName);
        Assert.Equal(7, provider.GetRequiredService<IOptions<QdrantVectorStoreOptions>>().Value.UpsertBatchSize);
    }

    [Fact]
    public void AddQdrantVectorStore_InvalidOptions_FailNamingTheKey()
    {
        var services = new ServiceCollection().AddQdrantVectorStore(o => o.Endpoint = Endpoint).AddQdrantVectorStore(o => o.UpsertBatchSize = -5);
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<VectorStore>());
        Assert.Contains("Qdrant:UpsertBatchSize", e.Message, StringComparison.Ordinal);
    }
}

public sealed class ModelValidationTests
{
    private static QdrantVectorStore Store() => new QdrantCallSeam().CreateStore();

    [Fact]
    public void KeyTypes_OtherThanUlongOrGuid_AreRejectedAtCollectionCreation()
    {
        using var store = Store();

        Assert.Contains("ulong or Guid", Assert.Throws<NotSupportedException>(() => store.GetCollection<string, StringKeyed>("c")).Message, StringComparison.Ordinal);
        Assert.Contains("ulong, Guid", Assert.ThrowsAny<Exception>(() => store.GetDynamicCollection("c", new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("id", typeof(int)), new VectorStoreVectorProperty("v", typeof(ReadOnlyMemory<float>), 2)],
        })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedDistances_AreNamed()
    {
        using var store = Store();

        Assert.Contains("'HammingDistance'", Assert.Throws<NotSupportedException>(() => store.GetCollection<ulong, Hamming>("c")).Message, StringComparison.Ordinal);
        Assert.Contains("'CosineDistance'", Assert.Throws<NotSupportedException>(() => store.GetCollection<ulong, CosineDistanceRecord>("c")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FullTextOnNonString_IsRejected()
    {
        using var store = Store();

        Assert.Contains("'Number' is full-text indexed", Assert.Throws<NotSupportedException>(() => store.GetCollection<ulong, FullTextInt>("c")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnnamedLayout_RejectsTwoVectors_AndHybridExplainsWhy()
    {
        using var store = Store();

        Assert.ThrowsAny<Exception>(() => store.GetCollection<ulong, TwoVectors>("c", new QdrantCollectionOptions { HasNamedVectors = false }));
        var hotels = store.GetCollection<ulong, Hotel>("c", new QdrantCollectionOptions { HasNamedVectors = false });
        var e = Assert.Throws<NotSupportedException>(() =>
            hotels.HybridSearchAsync(new float[4], ["x"], 1).GetAsyncEnumerator(TestContext.Current.CancellationToken).MoveNextAsync().AsTask().GetAwaiter().GetResult());
        Assert.Contains("HasNamedVectors = false", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DictionaryRecords_NeedTheDynamicCollection()
    {
        using var store = Store();

        Assert.Throws<NotSupportedException>(() => store.GetCollection<ulong, Dictionary<string, object?>>("c"));
    }
}
