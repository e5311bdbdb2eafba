using AgentKit.VectorStores.Conformance;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary><c>AddSqliteVectorStore</c>: the store in DI, embedding string vectors with the container's generator.</summary>
public sealed class DependencyInjectionTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task AddSqliteVectorStore_WithoutAGenerator_EmbedsWithTheContainersGenerator()
    {
        var generator = new LetterCountEmbeddingGenerator();
        var services = new ServiceCollection()
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator)
            .AddSqliteVectorStore(_database.Path);
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<VectorStore>();
        var collection = store.GetCollection<Guid, TextRecord>("texts");
        await collection.EnsureCollectionExistsAsync(TestContext.Current.CancellationToken);
        await collection.UpsertAsync([new TextRecord { Id = Guid.NewGuid(), Text = "aaaa", Embedding = "aaaa" }, new TextRecord { Id = Guid.NewGuid(), Text = "cccc", Embedding = "cccc" }], TestContext.Current.CancellationToken);

        var nearest = await collection.SearchAsync("ccc", 1, cancellationToken: TestContext.Current.CancellationToken).SingleAsync(TestContext.Current.CancellationToken);

        Assert.Equal("cccc", nearest.Record.Text);
        Assert.Same(provider.GetRequiredService<SqliteVectorStore>(), store);
        Assert.Equal(3, generator.Texts.Count);
    }

    [Fact]
    public async Task AddSqliteVectorStore_WithAGeneratorInItsOptions_KeepsIt()
    {
        var container = new LetterCountEmbeddingGenerator();
        var own = new LetterCountEmbeddingGenerator();
        var services = new ServiceCollection()
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(container)
            .AddSqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { EmbeddingGenerator = own });
        using var provider = services.BuildServiceProvider();

        var collection = provider.GetRequiredService<VectorStore>().GetCollection<Guid, TextRecord>("texts");
        await collection.EnsureCollectionExistsAsync(TestContext.Current.CancellationToken);
        await collection.UpsertAsync(new TextRecord { Id = Guid.NewGuid(), Text = "aaaa", Embedding = "aaaa" }, TestContext.Current.CancellationToken);

        Assert.Single(own.Texts);
        Assert.Empty(container.Texts);
    }
}
