using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql.Database;
using Microsoft.Extensions.AI;
using Npgsql;
using NpgsqlTypes;

namespace AgentKit.Storage.PostgreSql.Sessions;

/// <summary>
/// Sessions in PostgreSQL, shared by every AgentKit process that points at the same database and schema. Each write is
/// one transaction that locks the session's row first, so appends from several processes are serialised and never
/// interleave or lose messages; <see cref="TryAcquireAsync"/> serialises whole turns across processes with an advisory
/// lock held on a connection for the turn (a killed process's lock ends with its connection). Failures surface as
/// <see cref="SessionStoreException"/> naming the server, with a <see cref="PostgreSqlStorageException"/> as the cause.
/// Thread-safe.
/// </summary>
public sealed partial class PostgreSqlSessionStore : ISessionStore, ISessionRunLock, IAsyncDisposable
{
    // The first key of the two-key advisory lock a running turn holds; the second is hashtext(session id).
    private const int RunLockClass = 0x41_4B_00_02;
    private const string Columns = "id, agent, created, updated, message_count, owner";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;
    private readonly string _sessions;
    private readonly string _messages;

    /// <summary>Connects to the database <paramref name="options"/> name; the schema is migrated on first use.</summary>
    /// <param name="options">The connection and schema.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names each key.</exception>
    public PostgreSqlSessionStore(PostgreSqlStorageOptions options, TimeProvider? timeProvider = null)
        : this(new PostgreSqlDatabase(options), ownsDatabase: true, timeProvider)
    {
    }

    internal PostgreSqlSessionStore(PostgreSqlDatabase database, bool ownsDatabase, TimeProvider? timeProvider)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _time = timeProvider ?? TimeProvider.System;
        _sessions = $"{database.Schema}.sessions";
        _messages = $"{database.Schema}.messages";
        _runs = $"{database.Schema}.runs";
        _checkpoints = $"{database.Schema}.run_checkpoints";
    }

    /// <summary>The server, as <c>host:port/database</c>.</summary>
    public string Server => _database.Server;

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo> CreateAsync(string agentName, CancellationToken cancellationToken = default) => CreateAsync(agentName, null, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo> CreateAsync(string agentName, string? owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        return GuardAsync("create a session", async () =>
        {
            var now = Now();
            var info = new AgentSessionInfo(Guid.NewGuid().ToString("N"), agentName, now, now, 0, owner);
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, $"INSERT INTO {_sessions} (id, agent, owner, created, updated) VALUES ($1, $2, $3, $4, $4)", info.Id, agentName, owner, now);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return info;
        });
    }

    /// <inheritdoc />
    public async ValueTask<AgentSessionInfo?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var found = await QueryAsync("read a session", $"SELECT {Columns} FROM {_sessions} WHERE id = $1", cancellationToken, sessionId).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(string? agentName = null, CancellationToken cancellationToken = default) =>
        QueryAsync("list sessions", $"SELECT {Columns} FROM {_sessions} WHERE ($1::text IS NULL OR agent = $1) ORDER BY updated DESC, id", cancellationToken, agentName);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        return QueryAsync(
            "list sessions",
            $"SELECT {Columns} FROM {_sessions} WHERE ($1::text IS NULL OR agent = $1) AND ($2::text IS NULL OR owner = $2) ORDER BY updated DESC, id LIMIT $3 OFFSET $4",
            cancellationToken, query.AgentName, query.Owner, query.Limit, query.Offset);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ChatMessage>> LoadMessagesAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return GuardAsync<IReadOnlyList<ChatMessage>>("load a session's messages", async () =>
        {
            // One statement, one snapshot: the session's existence and its messages are read together.
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, $"SELECT m.message FROM {_sessions} s LEFT JOIN {_messages} m ON m.session_id = s.id WHERE s.id = $1 ORDER BY m.seq", sessionId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var messages = new List<ChatMessage>();
            var found = false;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found = true;
                if (!reader.IsDBNull(0))
                {
                    messages.Add(ChatMessageJson.Deserialize(reader.GetString(0)));
                }
            }

            return found ? messages : throw SessionNotFoundException.For(sessionId);
        });
    }

    /// <inheritdoc />
    public ValueTask AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        WriteAsync(sessionId, messages, replace: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        WriteAsync(sessionId, messages, replace: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return GuardAsync("delete a session", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, $"DELETE FROM {_sessions} WHERE id = $1", sessionId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        });
    }

    /// <summary>
    /// Takes the session's run lock: a PostgreSQL advisory lock held on a connection of the run-lock pool
    /// (<see cref="PostgreSqlStorageOptions.MaxConcurrentTurns"/>) until the returned lock is disposed, so a turn on one replica makes the same session busy on every other. Two session ids whose hashes
    /// collide (about one pair in four billion) share a lock and are serialised together.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lock, or <see langword="null"/> when another process's turn holds it.</returns>
    public ValueTask<IAsyncDisposable?> TryAcquireAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return GuardAsync<IAsyncDisposable?>("take a session's run lock", async () =>
        {
            var connection = await _database.OpenRunLockAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var command = Command(connection, "SELECT pg_try_advisory_lock($1, hashtext($2))", RunLockClass, sessionId);
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    return new RunLock(connection, sessionId);
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            return null;
        });
    }

    /// <summary>
    /// Checks the server answers and the schema is migrated, for health checks: one pooled connection, one query.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schema's migration version.</returns>
    /// <exception cref="SessionStoreException">The server cannot be reached or the schema read; the message names the server.</exception>
    public ValueTask<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        GuardAsync("read the schema version", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, $"SELECT COALESCE(MAX(version), 0) FROM {_database.Schema}.schema_migrations");
            return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        });

    /// <summary>The schema the store's tables are in.</summary>
    public string Schema => _database.Schema;

    /// <summary>Closes the connection pool when the store created it.</summary>
    /// <returns>A task.</returns>
    public ValueTask DisposeAsync() => _ownsDatabase ? _database.DisposeAsync() : ValueTask.CompletedTask;

    private ValueTask WriteAsync(string sessionId, IEnumerable<ChatMessage> messages, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        var rows = messages.Select(ChatMessageJson.Serialize).ToArray();
        return new ValueTask(GuardAsync(replace ? "replace a session's messages" : "append messages to a session", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = await LockForWriteAsync(connection, sessionId, rows, replace, cancellationToken).ConfigureAwait(false);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }).AsTask());
    }

    /// <summary>
    /// Locks the session's row for the open transaction and returns the batch that writes <paramref name="rows"/>
    /// (after the history, or in place of it), for the caller to extend and execute before it commits.
    /// </summary>
    private async Task<NpgsqlBatch> LockForWriteAsync(NpgsqlConnection connection, string sessionId, string[] rows, bool replace, CancellationToken cancellationToken)
    {
        // The row lock serialises every writer of this session, in any process, until commit.
        await using var lockRow = Command(connection, $"SELECT message_count FROM {_sessions} WHERE id = $1 FOR UPDATE", sessionId);
        var count = await lockRow.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as int?
            ?? throw SessionNotFoundException.For(sessionId);
        return WriteBatch(connection, sessionId, count, rows, replace);
    }

    /// <summary>The batch that writes <paramref name="rows"/> to a session whose row the transaction has locked, holding <paramref name="count"/> messages.</summary>
    private NpgsqlBatch WriteBatch(NpgsqlConnection connection, string sessionId, int count, string[] rows, bool replace)
    {
        var start = replace ? 0 : count;
        if ((long)start + rows.Length > _database.MaxMessagesPerSession)
        {
            throw new SessionStoreException(
                $"Session '{sessionId}' would hold {(long)start + rows.Length} messages, more than MaxMessagesPerSession ({_database.MaxMessagesPerSession}) of the PostgreSQL store at {Server}; nothing was stored. Reduce the history (an agent's ContextTokenBudget) or raise the limit.");
        }

        var batch = new NpgsqlBatch(connection);
        if (replace)
        {
            batch.BatchCommands.Add(BatchCommand($"DELETE FROM {_messages} WHERE session_id = $1", sessionId));
        }

        var insert = BatchCommand($"INSERT INTO {_messages} (session_id, seq, message) SELECT $1, $2 + t.ord - 1, t.m FROM unnest($3) WITH ORDINALITY AS t (m, ord)", sessionId, start);
        insert.Parameters.Add(new NpgsqlParameter { Value = rows, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(BatchCommand($"UPDATE {_sessions} SET updated = $2, message_count = $3 WHERE id = $1", sessionId, Now(), start + rows.Length));
        return batch;
    }

    private async ValueTask<IReadOnlyList<AgentSessionInfo>> QueryAsync(string operation, string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        await GuardAsync<IReadOnlyList<AgentSessionInfo>>(operation, async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var sessions = new List<AgentSessionInfo>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sessions.Add(new AgentSessionInfo(
                    reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3),
                    reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }

            return sessions;
        }).ConfigureAwait(false);

    private ValueTask<T> GuardAsync<T>(string operation, Func<Task<T>> action) => _database.GuardAsync(operation, action);

    // PostgreSQL keeps microseconds: rounding here makes what CreateAsync returns equal what GetAsync reads back.
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] parameters) => Sql.Command(connection, sql, parameters);

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] parameters) => Sql.BatchCommand(sql, parameters);

    private sealed class RunLock(NpgsqlConnection connection, string sessionId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = Command(connection, "SELECT pg_advisory_unlock($1, hashtext($2))", RunLockClass, sessionId);
                await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // A broken connection is not returned to the pool, and its advisory locks ended with it on the server.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
