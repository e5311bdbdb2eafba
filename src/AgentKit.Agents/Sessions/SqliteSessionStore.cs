using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Sessions;

/// <summary>
/// Sessions in a SQLite file (write-ahead log, so readers do not block the writer): a conversation survives a
/// restart. Each message is stored as Microsoft.Extensions.AI JSON. Thread-safe; one connection per operation
/// (pooled by Microsoft.Data.Sqlite). Reads run in deferred transactions and never wait for writers; this store's
/// writes are queued in process, one at a time, so they do not contend through SQLite's sleeping busy handler
/// (which backs off up to 100 ms per retry); writers in other processes are still waited for (busy timeout 5 s).
/// Every write is one transaction: a process killed mid-write leaves the history as it was before the write or after
/// it, never in between. SQLite failures (disk full, I/O errors, a locked or corrupt file) surface as
/// <see cref="SessionStoreException"/> naming the file.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The write gate is a SemaphoreSlim whose AvailableWaitHandle is never used, so it holds nothing to release.")]
public sealed partial class SqliteSessionStore : ISessionStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Task? _initialization;

    /// <summary>Opens (creating when needed) the database file at <paramref name="path"/>.</summary>
    /// <param name="path">The database file; its folder is created when missing.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    public SqliteSessionStore(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo> CreateAsync(string agentName, CancellationToken cancellationToken = default) => CreateAsync(agentName, null, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo> CreateAsync(string agentName, string? owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        return GuardAsync("create a session", () => CreateCoreAsync(agentName, owner, cancellationToken));
    }

    private async Task<AgentSessionInfo> CreateCoreAsync(string agentName, string? owner, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var info = new AgentSessionInfo(Guid.NewGuid().ToString("N"), agentName, now, now, 0, owner);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO sessions (id, agent, created, updated, owner) VALUES ($id, $agent, $now, $now, $owner)";
        command.Parameters.AddWithValue("$id", info.Id);
        command.Parameters.AddWithValue("$agent", agentName);
        command.Parameters.AddWithValue("$owner", (object?)owner ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", Format(now));
        await WriteAsync(command, cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <inheritdoc />
    public async ValueTask<AgentSessionInfo?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var found = await GuardAsync("read a session", () => QuerySessionsAsync("WHERE s.id = $key", sessionId, cancellationToken)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(string? agentName = null, CancellationToken cancellationToken = default) =>
        GuardAsync("list sessions", () => QuerySessionsAsync(agentName is null ? string.Empty : "WHERE s.agent = $key", agentName, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var where = (query.AgentName, query.Owner) switch
        {
            (null, null) => string.Empty,
            (not null, null) => "WHERE s.agent = $key",
            (null, not null) => "WHERE s.owner = $owner",
            _ => "WHERE s.agent = $key AND s.owner = $owner",
        };
        return GuardAsync("list sessions", () => QuerySessionsAsync(where, query.AgentName, cancellationToken, query.Owner, (query.Limit, query.Offset)));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ChatMessage>> LoadMessagesAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return GuardAsync("load a session's messages", () => LoadMessagesCoreAsync(sessionId, cancellationToken));
    }

    private async Task<IReadOnlyList<ChatMessage>> LoadMessagesCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        await EnsureExistsAsync(connection, transaction, sessionId, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT json FROM messages WHERE session_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", sessionId);
        var messages = new List<ChatMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add(ChatMessageJson.Deserialize(reader.GetString(0)));
        }

        return messages;
    }

    /// <inheritdoc />
    public ValueTask AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        WriteMessagesAsync(sessionId, messages, replace: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        WriteMessagesAsync(sessionId, messages, replace: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return GuardAsync("delete a session", () => DeleteCoreAsync(sessionId, cancellationToken));
    }

    private async Task<bool> DeleteCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM run_checkpoints WHERE run_id IN (SELECT id FROM runs WHERE session_id = $id); DELETE FROM runs WHERE session_id = $id; DELETE FROM messages WHERE session_id = $id; DELETE FROM sessions WHERE id = $id; SELECT changes()";
        command.Parameters.AddWithValue("$id", sessionId);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async ValueTask WriteMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        var rows = messages.Select(ChatMessageJson.Serialize).ToList();
        await GuardAsync(replace ? "replace a session's messages" : "append messages to a session", async () =>
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await WriteMessagesAsync(connection, sessionId, rows, replace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                _writeGate.Release();
            }
        }).ConfigureAwait(false);
    }

    private async Task WriteMessagesAsync(SqliteConnection connection, string sessionId, List<string> rows, bool replace, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (replace)
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM messages WHERE session_id = $id";
            delete.Parameters.AddWithValue("$id", sessionId);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertMessagesAsync(connection, transaction, sessionId, rows, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends serialized messages after the session's last one, inside the caller's transaction.</summary>
    private async Task InsertMessagesAsync(SqliteConnection connection, SqliteTransaction transaction, string sessionId, List<string> rows, CancellationToken cancellationToken)
    {
        await EnsureExistsAsync(connection, transaction, sessionId, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$id", sessionId);
        command.CommandText = "SELECT COALESCE(MAX(seq) + 1, 0) FROM messages WHERE session_id = $id";
        var next = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        command.CommandText = "INSERT INTO messages (session_id, seq, json) VALUES ($id, $seq, $json)";
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var json = command.Parameters.Add("$json", SqliteType.Text);
        foreach (var row in rows)
        {
            seq.Value = next++;
            json.Value = row;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        command.Parameters.Clear();
        command.CommandText = "UPDATE sessions SET updated = $now WHERE id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<IReadOnlyList<AgentSessionInfo>> QuerySessionsAsync(string where, string? key, CancellationToken cancellationToken, string? owner = null, (int Limit, int Offset)? page = null)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT s.id, s.agent, s.created, s.updated, (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id), s.owner FROM sessions s {where} ORDER BY s.updated DESC, s.id{(page is null ? string.Empty : " LIMIT $limit OFFSET $offset")}";
        if (page is { } p)
        {
            command.Parameters.AddWithValue("$limit", p.Limit);
            command.Parameters.AddWithValue("$offset", p.Offset);
        }

        if (key is not null)
        {
            command.Parameters.AddWithValue("$key", key);
        }

        if (owner is not null)
        {
            command.Parameters.AddWithValue("$owner", owner);
        }

        var sessions = new List<AgentSessionInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(new AgentSessionInfo(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2)), Parse(reader.GetString(3)), reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return sessions;
    }

    private static async Task EnsureExistsAsync(SqliteConnection connection, SqliteTransaction transaction, string sessionId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM sessions WHERE id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw SessionNotFoundException.For(sessionId);
        }
    }

    /// <summary>Runs an operation, turning SQLite failures into a <see cref="SessionStoreException"/> that names the file.</summary>
    private async ValueTask<T> GuardAsync<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw SessionStoreException.From(Path, operation, e);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Not a Lazy<Task>: a failed initialisation (a full disk) is retried by the next call instead of cached.
        // Initialisation is idempotent, so two racing first calls may both run it.
        var initialization = Volatile.Read(ref _initialization);
        if (initialization is null)
        {
            var started = InitializeAsync();
            initialization = Interlocked.CompareExchange(ref _initialization, started, null) ?? started;
        }

        try
        {
            await initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (initialization.IsFaulted)
        {
            _ = Interlocked.CompareExchange(ref _initialization, null, initialization);
            throw;
        }

        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = await OpenRawAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, agent TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, owner TEXT);
            CREATE INDEX IF NOT EXISTS sessions_agent ON sessions (agent, updated);
            CREATE TABLE IF NOT EXISTS messages (session_id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
            """ + CheckpointSchema;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);

        // Files written before sessions had owners: add the column; their sessions stay without an owner.
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('sessions') WHERE name = 'owner'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = "ALTER TABLE sessions ADD COLUMN owner TEXT";
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        command.CommandText = "CREATE INDEX IF NOT EXISTS sessions_owner ON sessions (owner, updated)";
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
