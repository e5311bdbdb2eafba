using System.Globalization;
using AgentKit.Agents.Checkpoints;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Sessions;

/// <summary>
/// Run checkpoints in the sessions' file: <c>runs</c> (one row per run, <c>finished</c> NULL while unfinished) and
/// <c>run_checkpoints</c> (one row per step boundary, keyed by run and sequence). Each write is one transaction,
/// through the same in-process write queue as the session writes.
/// </summary>
public sealed partial class SqliteSessionStore : IRunCheckpointStore
{
    private const string CheckpointSchema = """

        CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, agent TEXT NOT NULL, input TEXT NOT NULL, history_count INTEGER NOT NULL, started TEXT NOT NULL, finished TEXT, outcome TEXT);
        CREATE INDEX IF NOT EXISTS runs_session ON runs (session_id, started);
        CREATE INDEX IF NOT EXISTS runs_unfinished ON runs (started) WHERE finished IS NULL;
        CREATE TABLE IF NOT EXISTS run_checkpoints (run_id TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, step INTEGER NOT NULL, call_id TEXT, tool TEXT, payload TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
        """;

    private const string RunColumns = "id, session_id, agent, input, history_count, started, finished, outcome";

    /// <inheritdoc />
    public ValueTask StartRunAsync(RunInfo run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var input = ChatMessageJson.Serialize(run.Input);
        return new(GuardAsync("record a run's start", () => WriteInTransactionAsync(async (connection, transaction) =>
        {
            await EnsureExistsAsync(connection, transaction, run.SessionId, cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, transaction, "INSERT INTO runs (id, session_id, agent, input, history_count, started) VALUES ($id, $session, $agent, $input, $count, $started)");
            command.Parameters.AddWithValue("$id", run.RunId);
            command.Parameters.AddWithValue("$session", run.SessionId);
            command.Parameters.AddWithValue("$agent", run.AgentName);
            command.Parameters.AddWithValue("$input", input);
            command.Parameters.AddWithValue("$count", run.HistoryCount);
            command.Parameters.AddWithValue("$started", Format(run.StartedAt));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken)).AsTask());
    }

    /// <inheritdoc />
    public ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.Validate(runId);
        return GuardAsync("write a run checkpoint", () => WriteInTransactionAsync(
            (connection, transaction) => AppendCoreAsync(connection, transaction, runId, checkpoint, cancellationToken), cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask CompleteRunAsync(string runId, string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        ArgumentNullException.ThrowIfNull(messages);
        var rows = messages.Select(ChatMessageJson.Serialize).ToList();
        return new(GuardAsync("finish a run", () => WriteInTransactionAsync(async (connection, transaction) =>
        {
            var sessionId = await UnfinishedSessionAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
            await AppendCoreAsync(connection, transaction, runId, new RunCheckpointData(RunCheckpointKind.Completed, 0, null, null, CheckpointJson.Outcome(outcome)), cancellationToken).ConfigureAwait(false);
            await InsertMessagesAsync(connection, transaction, sessionId, rows, cancellationToken).ConfigureAwait(false);
            await using var command = Command(connection, transaction, "UPDATE runs SET finished = $now, outcome = $outcome WHERE id = $id");
            command.Parameters.AddWithValue("$id", runId);
            command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
            command.Parameters.AddWithValue("$outcome", outcome);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken)).AsTask());
    }

    /// <inheritdoc />
    public async ValueTask<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var runs = await GuardAsync("read a run", () => QueryRunsAsync("WHERE id = $key", runId, cancellationToken)).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        GuardAsync("list unfinished runs", () => QueryRunsAsync("WHERE finished IS NULL ORDER BY started, id", null, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunInfo>> ListRunsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return GuardAsync("list a session's runs", () => QueryRunsAsync("WHERE session_id = $key ORDER BY started, id", sessionId, cancellationToken));
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
        return GuardAsync("load a run's checkpoints", async () =>
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, kind, step, call_id, tool, payload, created FROM run_checkpoints WHERE run_id = $id AND seq > $after ORDER BY seq LIMIT $limit";
            command.Parameters.AddWithValue("$id", runId);
            command.Parameters.AddWithValue("$after", afterSequence);
            command.Parameters.AddWithValue("$limit", limit);
            var checkpoints = new List<RunCheckpoint>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                checkpoints.Add(new RunCheckpoint(
                    runId, reader.GetInt64(0), (RunCheckpointKind)reader.GetInt32(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), Parse(reader.GetString(6))));
            }

            return (IReadOnlyList<RunCheckpoint>)checkpoints;
        });
    }

    private async Task<long> AppendCoreAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken)
    {
        await UnfinishedSessionAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, transaction, "SELECT COALESCE(MAX(seq), 0) + 1 FROM run_checkpoints WHERE run_id = $id");
        command.Parameters.AddWithValue("$id", runId);
        var seq = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        command.CommandText = "INSERT INTO run_checkpoints (run_id, seq, kind, step, call_id, tool, payload, created) VALUES ($id, $seq, $kind, $step, $call, $tool, $payload, $now)";
        command.Parameters.AddWithValue("$seq", seq);
        command.Parameters.AddWithValue("$kind", (int)checkpoint.Kind);
        command.Parameters.AddWithValue("$step", checkpoint.Step);
        command.Parameters.AddWithValue("$call", (object?)checkpoint.CallId ?? DBNull.Value);
        command.Parameters.AddWithValue("$tool", (object?)checkpoint.ToolName ?? DBNull.Value);
        command.Parameters.AddWithValue("$payload", checkpoint.Payload);
        command.Parameters.AddWithValue("$now", Format(_time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return seq;
    }

    private static async Task<string> UnfinishedSessionAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT session_id FROM runs WHERE id = $id AND finished IS NULL");
        command.Parameters.AddWithValue("$id", runId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? throw RunCheckpointException.NoUnfinishedRun(runId);
    }

    private async Task<T> WriteInTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await write(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<IReadOnlyList<RunInfo>> QueryRunsAsync(string where, string? key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RunColumns} FROM runs {where}";
        if (key is not null)
        {
            command.Parameters.AddWithValue("$key", key);
        }

        var runs = new List<RunInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(new RunInfo(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), ChatMessageJson.Deserialize(reader.GetString(3)), reader.GetInt32(4), Parse(reader.GetString(5)),
                reader.IsDBNull(6) ? RunState.Running : RunState.Finished, reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return runs;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string text)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return command;
    }
}
