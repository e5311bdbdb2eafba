using AgentKit.Abstractions.Embeddings;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;

namespace AgentKit.Rag.Tests.Ingestion;

public sealed class EmbeddingModelChangeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-rag-model-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_folder, "kb.db");

    [Fact]
    public async Task Open_WithAnotherModelThanTheCollectionWasIngestedWith_IsRefusedNamingCollectionAndModels()
    {
        using (var store = new SqliteVectorStore(DatabasePath))
        {
            using var first = new HashingEmbeddingGenerator();
            await RagChunkStore.OpenAsync(store, "manuals", first, Ct);
        }

        using var reopened = new SqliteVectorStore(DatabasePath);
        using var other = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { IncludeBigrams = false });
        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => RagChunkStore.OpenAsync(reopened, "manuals", other, Ct));

        Assert.Equal("manuals", error.Collection);
        Assert.Equal("agentkit-hashing/agentkit-hashing-384-bigrams", error.StoredModel);
        Assert.Equal("agentkit-hashing/agentkit-hashing-384", error.ConfiguredModel);
        Assert.Equal(384, error.StoredDimensions);
        Assert.Contains("ingest the content again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WithAnotherLength_IsRefused_AndOtherCollectionsKeepTheirOwnModel()
    {
        using var store = new SqliteVectorStore(DatabasePath);
        using var wide = new HashingEmbeddingGenerator();
        using var narrow = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 128 });
        await RagChunkStore.OpenAsync(store, "manuals", wide, Ct);

        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => RagChunkStore.OpenAsync(store, "manuals", narrow, Ct));
        var other = await RagChunkStore.OpenAsync(store, "notes", narrow, Ct);
        var again = await RagChunkStore.OpenAsync(store, "manuals", wide, Ct);

        Assert.Equal(128, error.ConfiguredDimensions);
        Assert.Equal("notes", other.Name);
        Assert.Equal("manuals", again.Name);
    }

    [Fact]
    public async Task Open_AfterTheCollectionWasDeletedAndForgotten_RecordsTheNewModel()
    {
        using var store = new SqliteVectorStore(DatabasePath);
        using var first = new HashingEmbeddingGenerator();
        using var second = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 128 });
        var collection = await RagChunkStore.OpenAsync(store, "manuals", first, Ct);

        await collection.EnsureCollectionDeletedAsync(Ct);
        await EmbeddingModelRegistry.ForgetAsync(store, "manuals", Ct);
        var reembedded = await RagChunkStore.OpenAsync(store, "manuals", second, Ct);

        Assert.Equal("manuals", reembedded.Name);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
