using System.Collections.Concurrent;
using AgentKit.VectorStores.Sqlite.Schema;
using AgentKit.VectorStores.Sqlite.Search;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Storage;

/// <summary>
/// What the collections of one <see cref="SqliteVectorStore"/> share: the database, the options, the logger and the
/// in-memory vector indexes, kept per collection and vector property so that every collection object over the same
/// table uses one cache.
/// </summary>
internal sealed class StoreContext : IDisposable
{
    internal const string SystemName = "sqlite";
    private readonly ConcurrentDictionary<(string Collection, string Property, string Distance, int Dimensions, string IndexKind), VectorIndex> _indexes = new();
    private volatile bool _disposed;

    internal StoreContext(string path, SqliteVectorStoreOptions options, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Database = new SqliteDatabase(path, options);
        DatabaseName = System.IO.Path.GetFileName(Database.Path);
    }

    internal SqliteDatabase Database { get; }

    internal SqliteVectorStoreOptions Options { get; }

    internal ILogger Logger { get; }

    internal string DatabaseName { get; }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, typeof(SqliteVectorStore));

    /// <summary>The index of a collection's vector property, created on first use.</summary>
    /// <param name="collection">The collection's name.</param>
    /// <param name="column">The vector property.</param>
    /// <param name="filterColumns">The collection's indexed scalar columns (the same for every schema the catalog accepts under this name).</param>
    internal VectorIndex GetIndex(string collection, VectorColumn column, IReadOnlyList<string> filterColumns)
        => _indexes.GetOrAdd(
            (collection, column.Property.StorageName, column.Distance.Name, column.Dimensions, column.IndexKind),
            _ => new VectorIndex(column, Options, (generation, parts) =>
            {
                if (GraphStore.Save(Database, collection, column.Property.StorageName, generation, parts))
                {
                    Log.GraphSaved(Logger, collection, column.Property.ModelName, generation, parts.Sum(p => (long)p.Length));
                }
            }, filterColumns));

    /// <summary>The indexes currently loaded for a collection (every distance function and index kind in use).</summary>
    internal IEnumerable<VectorIndex> IndexesOf(string collection, string property)
        => _indexes.Where(pair => pair.Key.Collection == collection && pair.Key.Property == property).Select(pair => pair.Value);

    internal void ForgetCollection(string collection)
    {
        foreach (var key in _indexes.Keys.Where(k => k.Collection == collection).ToList())
        {
            if (_indexes.TryRemove(key, out var index))
            {
                index.Dispose();
            }
        }
    }

    /// <summary>Drops a collection's tables and catalog entry.</summary>
    internal async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        CollectionSchema.ValidateName(name);
        await RunAsync(name, "EnsureCollectionDeleted", () => Database.WriteAsync((connection, transaction) =>
        {
            var fts = CollectionSchema.Quote(name + "__fts");
            SqliteDatabase.Execute(connection, transaction, $"DROP TABLE IF EXISTS {fts}");
            SqliteDatabase.Execute(connection, transaction, $"DROP TABLE IF EXISTS {CollectionSchema.Quote(name + "__vectors")}");
            SqliteDatabase.Execute(connection, transaction, $"DROP TABLE IF EXISTS {CollectionSchema.Quote(name)}");
            GraphStore.Delete(connection, transaction, name);
            return SqliteDatabase.Execute(connection, transaction, $"DELETE FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} WHERE name = @name", ("@name", name));
        }, cancellationToken)).ConfigureAwait(false);
        ForgetCollection(name);
        Log.CollectionDeleted(Logger, name);
    }

    internal async Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken)
    {
        CollectionSchema.ValidateName(name);
        return await RunAsync(name, "CollectionExists", () =>
        {
            using var connection = Database.OpenReader();
            return Task.FromResult(SqliteDatabase.Scalar(connection, null, $"SELECT 1 FROM {CollectionSchema.Quote(CollectionSchema.CatalogTable)} WHERE name = @name", ("@name", name)) is not null);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a database operation, turning SQLite failures into a <see cref="VectorStoreException"/> that names the
    /// store, the collection and the operation. Argument, support and disposal errors pass through unchanged.
    /// </summary>
    internal async Task<T> RunAsync<T>(string? collection, string operation, Func<Task<T>> action)
    {
        ThrowIfDisposed();
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (SqliteException exception)
        {
            throw Wrap(exception, collection, operation);
        }
    }

    /// <summary>The synchronous form of <see cref="RunAsync{T}"/>.</summary>
    internal T Run<T>(string? collection, string operation, Func<T> action)
    {
        ThrowIfDisposed();
        try
        {
            return action();
        }
        catch (SqliteException exception)
        {
            throw Wrap(exception, collection, operation);
        }
    }

    internal VectorStoreException Wrap(Exception exception, string? collection, string operation)
    {
        var target = collection is null ? $"'{Database.Path}'" : $"collection '{collection}' in '{Database.Path}'";
        var message = exception is SqliteException { SqliteErrorCode: 13 }
            ? $"The disk is full (SQLITE_FULL) during {operation} on {target}: nothing of this operation was stored and the data stored before is intact and readable; free space on the disk holding the file and retry."
            : exception.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) && collection is not null
            ? $"The collection '{collection}' does not exist in {DatabaseName}; call EnsureCollectionExistsAsync first. ({exception.Message})"
            : $"SQLite failed during {operation} on {target}: {exception.Message}";
        Log.OperationFailed(Logger, operation, collection, exception);
        return new VectorStoreException(message, exception)
        {
            VectorStoreSystemName = SystemName,
            VectorStoreName = DatabaseName,
            CollectionName = collection,
            OperationName = operation,
        };
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // Save the graphs changed since they were last saved, so that the next open restores instead of rebuilding.
        foreach (var (key, index) in _indexes)
        {
            try
            {
                index.SaveGraph();
            }
            catch (Exception exception) when (exception is SqliteException or IOException or InvalidOperationException)
            {
                Log.GraphSaveFailed(Logger, key.Collection, key.Property, exception);
            }
        }

        _disposed = true;
        Database.Dispose();
        foreach (var index in _indexes.Values)
        {
            index.Dispose();
        }

        _indexes.Clear();
    }
}
