using AgentKit.Rag.Ingestion;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Support;

/// <summary>
/// The real embedded store for the RAG tests: a <see cref="SqliteVectorStore"/> on a file in a fresh temporary
/// folder, holding the chunk collection opened for an embedder; the folder is removed on dispose.
/// </summary>
internal sealed class SqliteChunkStore : IAsyncDisposable
{
    private readonly string _folder;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;

    private SqliteChunkStore(string folder, IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        _folder = folder;
        _embedder = embedder;
        Path = System.IO.Path.Combine(folder, "knowledge.db");
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public SqliteVectorStore Store { get; private set; } = null!;

    public VectorStoreCollection<Guid, RagChunkRecord> Collection { get; private set; } = null!;

    public static async Task<SqliteChunkStore> OpenAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, CancellationToken cancellationToken)
    {
        var store = new SqliteChunkStore(Directory.CreateTempSubdirectory("agentkit-rag-db-").FullName, embedder);
        await store.ReopenAsync(cancellationToken);
        return store;
    }

    /// <summary>Closes the store and opens the same file again, as a new process would.</summary>
    public async Task ReopenAsync(CancellationToken cancellationToken)
    {
        Close();
        Store = new SqliteVectorStore(Path);
        Collection = await RagChunkStore.OpenAsync(Store, RagChunkStore.DefaultName, _embedder, cancellationToken);
    }

    /// <summary>Every chunk record in the collection.</summary>
    public async Task<List<RagChunkRecord>> RecordsAsync() =>
        await Collection.GetAsync(r => r.ChunkIndex >= 0, 100_000).ToListAsync();

    /// <summary>The collection's write generation from the store's catalog: it goes up with every write transaction.</summary>
    public long WriteGeneration()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT generation FROM __agentkit_collections WHERE name = $name";
        command.Parameters.AddWithValue("$name", Collection.Name);
        return (long)command.ExecuteScalar()!;
    }

    public ValueTask DisposeAsync()
    {
        Close();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private void Close()
    {
        Collection?.Dispose();
        Store?.Dispose();
    }
}
