using AgentKit.Cost.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;

namespace AgentKit.Cost.Caching;

/// <summary>
/// An <see cref="IDistributedCache"/> on one SQLite file (WAL): absolute and sliding expiry, and a bound on entries
/// past which the least recently used go. The completion cache's exact layer by default.
/// </summary>
public sealed class SqliteDistributedCache : IDistributedCache
{
    private readonly string _connectionString;
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private long _approximateCount;

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
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 }.ToString();
        try
        {
            using var connection = Open();
            Execute(connection, """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS completion_cache_exact(
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    expires INTEGER NOT NULL,
                    absolute INTEGER NOT NULL,
                    sliding INTEGER,
                    accessed INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS completion_cache_exact_accessed ON completion_cache_exact(accessed);
                """);
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM completion_cache_exact";
            _approximateCount = (long)count.ExecuteScalar()!;
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"The completion cache file '{full}' cannot be opened as a SQLite database: {e.Message}", e);
        }
    }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = Now();
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE completion_cache_exact
            SET accessed = $now, expires = CASE WHEN sliding IS NULL THEN expires ELSE min(absolute, $now + sliding) END
            WHERE key = $key AND expires > $now
            RETURNING value
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", now);
        return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as byte[];
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
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

        await using var connection = Open();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                INSERT INTO completion_cache_exact(key, value, expires, absolute, sliding, accessed) VALUES($key, $value, $expires, $absolute, $sliding, $now)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires, absolute = excluded.absolute, sliding = excluded.sliding, accessed = excluded.accessed
                """;
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", value);
            command.Parameters.AddWithValue("$expires", expires);
            command.Parameters.AddWithValue("$absolute", absolute);
            command.Parameters.AddWithValue("$sliding", (object?)sliding ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", now);
            await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }

        if (Interlocked.Increment(ref _approximateCount) > _maxEntries)
        {
            await EvictAsync(connection, now, token).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Refresh(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task RefreshAsync(string key, CancellationToken token = default) => GetAsync(key, token);

    /// <inheritdoc/>
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM completion_cache_exact WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }

    /// <summary>Removes every entry.</summary>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the entries are gone.</returns>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM completion_cache_exact";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _approximateCount, 0);
    }

    /// <summary>Entries held now, expired ones not yet removed included.</summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The count.</returns>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM completion_cache_exact";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task EvictAsync(SqliteConnection connection, long now, CancellationToken token)
    {
        // Down to 90% of the bound, so eviction runs once per tenth of the bound in inserts, not on every insert.
        await using var command = connection.CreateCommand();
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
        var remaining = (long)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
        Interlocked.Exchange(ref _approximateCount, remaining);
        if (before > remaining)
        {
            CostTelemetry.Evictions.Add(before - remaining, new KeyValuePair<string, object?>(CostTelemetry.LayerTag, "exact"));
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();

        // A cache entry lost to a power failure is recomputed; a flush per write would bound writes by the disk.
        Execute(connection, "PRAGMA synchronous=NORMAL");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
