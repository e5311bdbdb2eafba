using System.Collections.Concurrent;
using AgentKit.Cost.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;

namespace AgentKit.Cost.Caching;

/// <summary>
/// An <see cref="IDistributedCache"/> on one SQLite file (WAL): absolute and sliding expiry, and a bound on entries
/// past which the least recently used go. The completion cache's exact layer by default.
/// </summary>
/// <remarks>
/// Connections stay open for the cache's lifetime: one writer, whose statements are queued in-process, and up to
/// <see cref="MaxReaders"/> readers, each with its statement prepared once, so a read is one primary-key lookup with
/// no transaction to write. A read of an entry without sliding expiry records its access time in memory; the times
/// are written in one transaction every 1,024 reads, every 2 seconds of activity, before an eviction, and on
/// <see cref="Dispose"/> (a process that ends without disposing loses only the recency of its last reads, never an
/// entry). Reads of entries with sliding expiry move the expiry at once, since other processes must see it.
/// </remarks>
public sealed class SqliteDistributedCache : IDistributedCache, IDisposable
{
    /// <summary>Most reader connections open at once; further readers wait for one.</summary>
    public static readonly int MaxReaders = Math.Clamp(Environment.ProcessorCount, 2, 16);

    private const int TouchesPerFlush = 1024;
    private const long FlushEveryMilliseconds = 2_000;

    private const string SelectSql = "SELECT value, sliding FROM completion_cache_exact WHERE key = $key AND expires > $now";
    private const string SlideSql = """
        UPDATE completion_cache_exact SET accessed = $now, expires = min(absolute, $now + sliding)
        WHERE key = $key AND expires > $now
        RETURNING value
        """;
    private const string UpsertSql = """
        INSERT INTO completion_cache_exact(key, value, expires, absolute, sliding, accessed) VALUES($key, $value, $expires, $absolute, $sliding, $now)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires, absolute = excluded.absolute, sliding = excluded.sliding, accessed = excluded.accessed
        """;
    private const string TouchSql = "UPDATE completion_cache_exact SET accessed = max(accessed, $now) WHERE key = $key";
    private const string DeleteSql = "DELETE FROM completion_cache_exact WHERE key = $key";

    private readonly string _connectionString;
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _slide;
    private readonly SqliteCommand _touch;
    private readonly SqliteCommand _delete;
    private readonly SemaphoreSlim _readerSlots = new(MaxReaders, MaxReaders);
    private readonly ConcurrentBag<Reader> _idleReaders = [];
    private readonly ConcurrentDictionary<string, long> _touched = new(StringComparer.Ordinal);
    private long _lastFlush = Environment.TickCount64;
    private int _touchesSinceFlush;
    private long _approximateCount;
    private volatile bool _disposed;
    private int _disposeStarted;

    /// <summary>Opens (or creates) the cache in <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file; its folder is created.</param>
    /// <param name="maxEntries">Most entries kept; past it the least recently used go. At least 1.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="InvalidOperationException">The file cannot be opened as a SQLite database.</exception>
    public SqliteDistributedCache(string path, int maxEntries = 100_000, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        Path = full;
        _maxEntries = maxEntries;
        _time = timeProvider ?? TimeProvider.System;

        // The cache keeps its own connections open, so the driver's pool would only keep the file open after Dispose.
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = false, DefaultTimeout = 30 }.ToString();
        _writer = new SqliteConnection(_connectionString);
        try
        {
            _writer.Open();

            // A cache entry lost to a power failure is recomputed; a flush per write would bound writes by the disk.
            Execute(_writer, """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=NORMAL;
                CREATE TABLE IF NOT EXISTS completion_cache_exact(
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    expires INTEGER NOT NULL,
                    absolute INTEGER NOT NULL,
                    sliding INTEGER,
                    accessed INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS completion_cache_exact_accessed ON completion_cache_exact(accessed);
                """);
            using var count = _writer.CreateCommand();
            count.CommandText = "SELECT count(*) FROM completion_cache_exact";
            _approximateCount = (long)count.ExecuteScalar()!;
        }
        catch (SqliteException e)
        {
            _writer.Dispose();
            throw new InvalidOperationException($"The completion cache file '{full}' cannot be opened as a SQLite database: {e.Message}", e);
        }

        _upsert = Prepare(_writer, UpsertSql, "$key", "$value", "$expires", "$absolute", "$sliding", "$now");
        _slide = Prepare(_writer, SlideSql, "$key", "$now");
        _touch = Prepare(_writer, TouchSql, "$key", "$now");
        _delete = Prepare(_writer, DeleteSql, "$key");
    }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public byte[]? Get(string key) => RunSync(GetCoreAsync(key, sync: true, CancellationToken.None));

    /// <inheritdoc/>
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => GetCoreAsync(key, sync: false, token).AsTask();

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => RunSync(SetCoreAsync(key, value, options, sync: true, CancellationToken.None));

    /// <inheritdoc/>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => SetCoreAsync(key, value, options, sync: false, token).AsTask();

    /// <inheritdoc/>
    public void Refresh(string key) => RunSync(GetCoreAsync(key, sync: true, CancellationToken.None));

    /// <inheritdoc/>
    public Task RefreshAsync(string key, CancellationToken token = default) => GetCoreAsync(key, sync: false, token).AsTask();

    /// <inheritdoc/>
    public void Remove(string key) => RunSync(RemoveCoreAsync(key, sync: true, CancellationToken.None));

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken token = default) => RemoveCoreAsync(key, sync: false, token).AsTask();

    /// <summary>Removes every entry.</summary>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the entries are gone.</returns>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync(_writeLock, sync: false, cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _touched.Clear();
            Execute(_writer, "DELETE FROM completion_cache_exact");
            Interlocked.Exchange(ref _approximateCount, 0);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Entries held now, expired ones not yet removed included.</summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The count.</returns>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        var reader = await RentAsync(sync: false, cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = reader.Connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM completion_cache_exact";
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            Return(reader);
        }
    }

    /// <summary>Writes the access times of recent reads and closes the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) == 1)
        {
            return;
        }

        _writeLock.Wait();
        try
        {
            _disposed = true;
            try
            {
                FlushTouches();
            }
            catch (SqliteException)
            {
                // Recency only: the entries themselves are all written.
            }

            _upsert.Dispose();
            _slide.Dispose();
            _touch.Dispose();
            _delete.Dispose();
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }

        for (var i = 0; i < MaxReaders; i++)
        {
            _readerSlots.Wait();
        }

        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
        }

        // Callers that were waiting for a reader wake up and find the cache disposed.
        _readerSlots.Release(MaxReaders);
    }

    private async ValueTask<byte[]?> GetCoreAsync(string key, bool sync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = Now();
        byte[]? value;
        bool sliding;
        var reader = await RentAsync(sync, token).ConfigureAwait(false);
        try
        {
            (value, sliding) = reader.Read(key, now);
        }
        finally
        {
            Return(reader);
        }

        if (value is null)
        {
            return null;
        }

        if (sliding)
        {
            await EnterAsync(_writeLock, sync, token).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _slide.Parameters["$key"].Value = key;
                _slide.Parameters["$now"].Value = now;
                return _slide.ExecuteScalar() as byte[];
            }
            finally
            {
                _writeLock.Release();
            }
        }

        _touched[key] = now;
        if ((Interlocked.Increment(ref _touchesSinceFlush) >= TouchesPerFlush || Environment.TickCount64 - Interlocked.Read(ref _lastFlush) >= FlushEveryMilliseconds)
            && _writeLock.Wait(0, CancellationToken.None))
        {
            // Only when the writer is free: a busy writer means someone else's write is under way, and the next read
            // past the mark flushes instead.
            try
            {
                if (!_disposed)
                {
                    FlushTouches();
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }

        return value;
    }

    private async ValueTask SetCoreAsync(string key, byte[] value, DistributedCacheEntryOptions options, bool sync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var now = Now();
        var expires = long.MaxValue;
        if (options.AbsoluteExpiration is { } at)
        {
            expires = at.ToUnixTimeMilliseconds();
        }

        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            expires = Math.Min(expires, now + (long)relative.TotalMilliseconds);
        }

        var absolute = expires;
        long? sliding = options.SlidingExpiration is { } s ? (long)s.TotalMilliseconds : null;
        if (sliding is { } window)
        {
            expires = Math.Min(absolute, now + window);
        }

        await EnterAsync(_writeLock, sync, token).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _upsert.Parameters["$key"].Value = key;
            _upsert.Parameters["$value"].Value = value;
            _upsert.Parameters["$expires"].Value = expires;
            _upsert.Parameters["$absolute"].Value = absolute;
            _upsert.Parameters["$sliding"].Value = (object?)sliding ?? DBNull.Value;
            _upsert.Parameters["$now"].Value = now;
            _upsert.ExecuteNonQuery();
            if (Interlocked.Increment(ref _approximateCount) > _maxEntries)
            {
                Evict(now);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask RemoveCoreAsync(string key, bool sync, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(key);
        await EnterAsync(_writeLock, sync, token).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _touched.TryRemove(key, out _);
            _delete.Parameters["$key"].Value = key;
            _delete.ExecuteNonQuery();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes the pending access times in one transaction. The caller holds the write lock.</summary>
    private void FlushTouches()
    {
        Interlocked.Exchange(ref _lastFlush, Environment.TickCount64);
        Interlocked.Exchange(ref _touchesSinceFlush, 0);
        if (_touched.IsEmpty)
        {
            return;
        }

        using var transaction = _writer.BeginTransaction(deferred: false);
        _touch.Transaction = transaction;
        try
        {
            foreach (var key in _touched.Keys)
            {
                if (_touched.TryRemove(key, out var accessed))
                {
                    _touch.Parameters["$key"].Value = key;
                    _touch.Parameters["$now"].Value = accessed;
                    _touch.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }
        finally
        {
            _touch.Transaction = null;
        }
    }

    /// <summary>Drops expired entries, then the least recently used down to 90% of the bound. The caller holds the write lock.</summary>
    private void Evict(long now)
    {
        // Down to 90% of the bound, so eviction runs once per tenth of the bound in inserts, not on every insert.
        FlushTouches();
        using var command = _writer.CreateCommand();
        command.CommandText = """
            DELETE FROM completion_cache_exact WHERE expires <= $now;
            DELETE FROM completion_cache_exact WHERE key IN (
                SELECT key FROM completion_cache_exact ORDER BY accessed
                LIMIT max(0, (SELECT count(*) FROM completion_cache_exact) - $keep));
            SELECT count(*) FROM completion_cache_exact;
            """;
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$keep", Math.Max(1, _maxEntries - (_maxEntries / 10)));
        var before = Interlocked.Read(ref _approximateCount);
        var remaining = (long)command.ExecuteScalar()!;
        Interlocked.Exchange(ref _approximateCount, remaining);
        if (before > remaining)
        {
            CostTelemetry.Evictions.Add(before - remaining, new KeyValuePair<string, object?>(CostTelemetry.LayerTag, "exact"));
        }
    }

    private async ValueTask<Reader> RentAsync(bool sync, CancellationToken token)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnterAsync(_readerSlots, sync, token).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _idleReaders.TryTake(out var reader) ? reader : new Reader(_connectionString);
        }
        catch
        {
            _readerSlots.Release();
            throw;
        }
    }

    private void Return(Reader reader)
    {
        _idleReaders.Add(reader);
        _readerSlots.Release();
    }

    private static ValueTask EnterAsync(SemaphoreSlim semaphore, bool sync, CancellationToken token)
    {
        if (sync)
        {
            semaphore.Wait(token);
            return ValueTask.CompletedTask;
        }

        return new ValueTask(semaphore.WaitAsync(token));
    }

    /// <summary>The result of a core operation started with <c>sync: true</c>, which never yields, so it has completed.</summary>
    private static T RunSync<T>(ValueTask<T> operation) => operation.IsCompleted ? operation.Result : operation.AsTask().GetAwaiter().GetResult();

    private static void RunSync(ValueTask operation)
    {
        if (operation.IsCompleted)
        {
            operation.GetAwaiter().GetResult();
        }
        else
        {
            operation.AsTask().GetAwaiter().GetResult();
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A reader connection with its lookup prepared; used by one caller at a time.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly SqliteCommand _select;

        public Reader(string connectionString)
        {
            Connection = new SqliteConnection(connectionString);
            Connection.Open();
            _select = Prepare(Connection, SelectSql, "$key", "$now");
        }

        public SqliteConnection Connection { get; }

        public (byte[]? Value, bool Sliding) Read(string key, long now)
        {
            _select.Parameters["$key"].Value = key;
            _select.Parameters["$now"].Value = now;
            using var reader = _select.ExecuteReader();
            return reader.Read() ? ((byte[])reader.GetValue(0), !reader.IsDBNull(1)) : (null, false);
        }

        public void Dispose()
        {
            _select.Dispose();
            Connection.Dispose();
        }
    }
}
