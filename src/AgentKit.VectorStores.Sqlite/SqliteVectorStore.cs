using AgentKit.VectorStores.Sqlite.Schema;
using AgentKit.VectorStores.Sqlite.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite;

/// <summary>
/// An embedded vector store on one SQLite file, with no server: collections of records with typed data columns,
/// float32 vectors searched exactly (SIMD) or through an HNSW index, LINQ filters run as SQL before scoring, and
/// FTS5 hybrid search. The file is in WAL mode: many readers and one writer at a time; a write that returned is
/// durable (see <see cref="SqliteVectorStoreOptions.Durability"/>).
/// </summary>
/// <remarks>
/// Keep one store per file in a process and share it: collections obtained from it share the in-memory vector
/// caches. Other processes may open the same file; the caches notice their writes and reload.
/// </remarks>
public sealed class SqliteVectorStore : VectorStore
{
    private readonly StoreContext _context;
    private readonly VectorStoreMetadata _metadata;

    /// <summary>Opens (creating when missing) the store in the SQLite file at <paramref name="path"/>.</summary>
    /// <param name="path">The database file path.</param>
    /// <param name="options">Store options; defaults when null.</param>
    /// <param name="loggerFactory">Where the store logs; nothing when null.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names an in-memory database.</exception>
    /// <exception cref="VectorStoreException">The file cannot be opened as a SQLite database.</exception>
    public SqliteVectorStore(string path, SqliteVectorStoreOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteVectorStore>();
        try
        {
            _context = new StoreContext(path, options ?? new SqliteVectorStoreOptions(), logger);
        }
        catch (Microsoft.Data.Sqlite.SqliteException exception)
        {
            throw new VectorStoreException($"The SQLite vector store cannot open '{path}': {exception.Message}", exception)
            {
                VectorStoreSystemName = StoreContext.SystemName,
                VectorStoreName = System.IO.Path.GetFileName(path),
                OperationName = "Open",
            };
        }

        _metadata = new VectorStoreMetadata { VectorStoreSystemName = StoreContext.SystemName, VectorStoreName = _context.DatabaseName };
        Log.StoreOpened(logger, _context.Database.Path);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _context.Database.Path;

    /// <inheritdoc />
    /// <remarks>Keys may be <see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/>.</remarks>
    /// <exception cref="NotSupportedException">The key, a data or a vector property has a type the store cannot keep.</exception>
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        _context.ThrowIfDisposed();
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
        {
            throw new NotSupportedException(Microsoft.Extensions.VectorData.ProviderServices.VectorDataStrings.NonDynamicCollectionWithDictionaryNotSupported(typeof(SqliteCollection<object, Dictionary<string, object?>>)));
        }

        var model = new SqliteModelBuilder().Build(typeof(TRecord), typeof(TKey), definition, definition?.EmbeddingGenerator ?? _context.Options.EmbeddingGenerator);
        return new SqliteCollection<TKey, TRecord>(_context, name, model);
    }

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _context.ThrowIfDisposed();
        var model = new SqliteModelBuilder().BuildDynamic(definition, definition.EmbeddingGenerator ?? _context.Options.EmbeddingGenerator);
        return new SqliteCollection<object, Dictionary<string, object?>>(_context, name, model);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = await _context.RunAsync(null, "ListCollectionNames", () =>
        {
            using var connection = _context.Database.OpenReader();
            using var command = SqliteDatabase.Command(connection, null, $"SELECT name FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} ORDER BY name");
            using var reader = command.ExecuteReader();
            var list = new List<string>();
            while (reader.Read())
            {
                list.Add(reader.GetString(0));
            }

            return Task.FromResult(list);
        }).ConfigureAwait(false);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
        => _context.CollectionExistsAsync(name, cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
        => _context.DeleteCollectionAsync(name, cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _context.Dispose();
        }

        base.Dispose(disposing);
    }
}
