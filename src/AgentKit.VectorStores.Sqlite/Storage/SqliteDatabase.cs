using System.Globalization;
using AgentKit.VectorStores.Sqlite.Schema;
using Microsoft.Data.Sqlite;

namespace AgentKit.VectorStores.Sqlite.Storage;

/// <summary>
/// One SQLite file in WAL mode: a single long-lived writer connection whose transactions are serialized by a
/// semaphore (SQLite allows one writer at a time anyway; queuing in-process avoids busy retries), and pooled
/// reader connections opened per operation, which WAL lets read while the writer writes. Waits on locks held by
/// other processes up to the busy timeout.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private bool _disposed;

    internal SqliteDatabase(string path, SqliteVectorStoreOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (path.Trim() == ":memory:" || path.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("The SQLite vector store needs a file: WAL mode and concurrent readers do not work on an in-memory database.", nameof(path));
        }

        Path = System.IO.Path.GetFullPath(path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();

        _writer = new SqliteConnection(ConnectionString);
        _writer.Open();
        var synchronous = options.Durability == SqliteDurability.Full ? "FULL" : "NORMAL";
        Execute(_writer, null, "PRAGMA journal_mode=WAL");
        Execute(_writer, null, $"PRAGMA synchronous={synchronous}");
        Execute(_writer, null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={(long)options.BusyTimeout.TotalMilliseconds}"));
        Execute(_writer, null, $"CREATE TABLE IF NOT EXISTS {CollectionSchema.Quote(CollectionSchema.CatalogTable)} (name TEXT PRIMARY KEY, signature TEXT NOT NULL, generation INTEGER NOT NULL DEFAULT 0)");
        Execute(_writer, null, GraphStore.CreateStatement);
    }

    internal string Path { get; }

    internal string ConnectionString { get; }

    /// <summary>Opens a pooled reader connection; dispose it when done.</summary>
    internal SqliteConnection OpenReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one immediate transaction on the writer connection and commits it; the
    /// transaction is rolled back when <paramref name="work"/> throws.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return WriteHoldingLock(work);
    }

    /// <summary>The synchronous form of <see cref="WriteAsync{T}"/>, for work that is not on a caller's path (saving an index).</summary>
    internal T Write<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writeLock.Wait();
        return WriteHoldingLock(work);
    }

    private T WriteHoldingLock<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _writer.BeginTransaction(deferred: false);
            var result = work(_writer, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar();
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // Wait for a running write to finish, so that its transaction commits or rolls back before the connection closes.
        _writeLock.Wait();
        _disposed = true;
        _writeLock.Release();
        _writer.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
        _writeLock.Dispose();
    }
}
