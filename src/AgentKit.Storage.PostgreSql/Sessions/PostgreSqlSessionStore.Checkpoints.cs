using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;
using Npgsql;

namespace AgentKit.Storage.PostgreSql.Sessions;

/// <summary>
/// Run checkpoints beside the sessions (migration 2: <c>runs</c>, <c>run_checkpoints</c>), so every replica on the
/// database sees every run: one that a dead replica left unfinished is resumed by another. An append is one statement
/// that numbers the checkpoint under the run's row lock and sends a <c>NOTIFY</c> (channel per schema, payload the run
/// id, delivered at commit); finishing a run appends its messages and marks it finished in one transaction, and
/// notifies too. <see cref="Signals"/> turns the notifications into wake-ups for this process's readers.
/// </summary>
public sealed partial class PostgreSqlSessionStore : IRunCheckpointStore
{
    private const string RunColumns = "id, session_id, agent, input, history_count, started, finished, outcome";

    private readonly string _runs;
    private readonly string _checkpoints;
    private readonly Lock _signalsLock = new();
    private RunCheckpointSignals? _signals;

    /// <summary>
    /// Woken by the notification every append and finish sends, from any replica on the schema; getting it the first
    /// time starts the process's listening connection (one per database, shared with the approvals), which is re-opened
    /// with backoff when lost and then wakes every reader, since notifications sent meanwhile are gone.
    /// </summary>
    public RunCheckpointSignals Signals
    {
        get
        {
            lock (_signalsLock)
            {
                if (_signals is null)
                {
                    var signals = new RunCheckpointSignals();
                    _database.Notifications.Subscribe(_database.Notifications.RunsChannel, runId =>
                    {
                        if (runId is null)
                        {
                            signals.SignalAll();
                        }
                        else
                        {
                            signals.Signal(runId);
                        }
                    });
                    _signals = signals;
                }

                return _signals;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask StartRunAsync(RunInfo run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var input = ChatMessageJson.Serialize(run.Input);
        return new(GuardAsync("record a run's start", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Committed without waiting for the disk (synchronous_commit off for this transaction only): the run's first
            // checkpoint waits for it, and the log is flushed in order, so the start is on disk before the run has done
            // anything to resume or acknowledge. A server crash before that loses the start of a run with no steps.
            await using var command = Command(
                connection,
                $"INSERT INTO {_runs} (id, session_id, agent, input, history_count, started) SELECT $1, id, $3, $4, $5, $6 FROM {_sessions} WHERE id = $2 AND set_config('synchronous_commit', 'off', true) IS NOT NULL",
                run.RunId, run.SessionId, run.AgentName, input, run.HistoryCount, run.StartedAt.ToUniversalTime());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? true : throw SessionNotFoundException.For(run.SessionId);
        }).AsTask());
    }

    /// <inheritdoc />
    public ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.Validate(runId);
        return GuardAsync("write a run checkpoint", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            var (sql, parameters) = AppendStatement(runId, checkpoint, finish: null);
            await using var command = Command(connection, sql, parameters);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long? ?? throw RunCheckpointException.NoUnfinishedRun(runId);
        });
    }

    /// <inheritdoc />
    public ValueTask CompleteRunAsync(string runId, string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        ArgumentNullException.ThrowIfNull(messages);
        var rows = messages.Select(ChatMessageJson.Serialize).ToArray();
        return new(GuardAsync("finish a run", async () =>
        {
            // Three round trips: the session's row locked (found through the run), one batch that records the end and
            // writes the messages, the commit. The session's row is taken first, as every session write takes it,
            // then the run's (in the batch's first statement): one lock order.
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var find = Command(
                connection,
                $"SELECT s.id, s.message_count FROM {_runs} r JOIN {_sessions} s ON s.id = r.session_id WHERE r.id = $1 AND r.finished IS NULL FOR UPDATE OF s",
                runId);
            string sessionId;
            int count;
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw RunCheckpointException.NoUnfinishedRun(runId);
                }

                (sessionId, count) = (reader.GetString(0), reader.GetInt32(1));
            }

            await using var batch = WriteBatch(connection, sessionId, count, rows, replace: false);
            var (sql, parameters) = AppendStatement(runId, new RunCheckpointData(RunCheckpointKind.Completed, 0, null, null, CheckpointJson.Outcome(outcome)), outcome);
            batch.BatchCommands.Insert(0, BatchCommand(sql, parameters));
            await using (var written = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                // No row when another process finished the run since it was found: nothing of this call is committed.
                if (!await written.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw RunCheckpointException.NoUnfinishedRun(runId);
                }

                while (await written.NextResultAsync(cancellationToken).ConfigureAwait(false))
                {
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }).AsTask());
    }

    /// <inheritdoc />
    public async ValueTask<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var runs = await QueryRunsAsync("read a run", "WHERE id = $1", runId, cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        QueryRunsAsync("list unfinished runs", "WHERE finished IS NULL ORDER BY started, id", null, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunInfo>> ListRunsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return QueryRunsAsync("list a session's runs", "WHERE session_id = $1 ORDER BY started, id", sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunCheckpoint>> LoadCheckpointsAsync(string runId, CancellationToken cancellationToken = default) =>
        LoadCheckpointsAsync(runId, 0, int.MaxValue, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunCheckpoint>> LoadCheckpointsAsync(string runId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        return GuardAsync<IReadOnlyList<RunCheckpoint>>("load a run's checkpoints", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, $"SELECT seq, kind, step, call_id, tool, payload, created FROM {_checkpoints} WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", runId, afterSequence, limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var checkpoints = new List<RunCheckpoint>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                checkpoints.Add(new RunCheckpoint(
                    runId, reader.GetInt64(0), (RunCheckpointKind)reader.GetInt32(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
            }

            return checkpoints;
        });
    }

    /// <summary>
    /// One statement that numbers and inserts a checkpoint of an unfinished run (and, with <paramref name="finish"/>,
    /// marks the run finished with that outcome) and notifies the run's readers at commit; it returns the sequence, or no
    /// row when the run is not unfinished.
    /// </summary>
    private (string Sql, object?[] Parameters) AppendStatement(string runId, RunCheckpointData checkpoint, string? finish) => (
        $"""
        WITH r AS (
            UPDATE {_runs} SET checkpoint_count = checkpoint_count + 1,
                finished = CASE WHEN $8::text IS NULL THEN NULL ELSE $7 END, outcome = $8
            WHERE id = $1 AND finished IS NULL
            RETURNING checkpoint_count),
        c AS (
            INSERT INTO {_checkpoints} (run_id, seq, kind, step, call_id, tool, payload, created)
            SELECT $1, r.checkpoint_count, $2, $3, $4, $5, $6, $7 FROM r
            RETURNING seq)
        SELECT c.seq, pg_notify($9, $1) FROM c
        """,
        [runId, (int)checkpoint.Kind, checkpoint.Step, checkpoint.CallId, checkpoint.ToolName, checkpoint.Payload, Now(), finish, _database.Notifications.RunsChannel]);

    private ValueTask<IReadOnlyList<RunInfo>> QueryRunsAsync(string operation, string where, string? key, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<RunInfo>>(operation, async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = key is null
                ? Command(connection, $"SELECT {RunColumns} FROM {_runs} {where}")
                : Command(connection, $"SELECT {RunColumns} FROM {_runs} {where}", key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var runs = new List<RunInfo>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                runs.Add(new RunInfo(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), ChatMessageJson.Deserialize(reader.GetString(3)), reader.GetInt32(4),
                    reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? RunState.Running : RunState.Finished, reader.IsDBNull(7) ? null : reader.GetString(7)));
            }

            return runs;
        });
}
