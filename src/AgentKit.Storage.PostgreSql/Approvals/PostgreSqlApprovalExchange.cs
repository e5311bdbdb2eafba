using System.Collections.Concurrent;
using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using AgentKit.Storage.PostgreSql.Database;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgentKit.Storage.PostgreSql.Approvals;

/// <summary>
/// Pending tool approvals shared by every replica on one PostgreSQL schema (migration 3: <c>approvals</c>): a request
/// waiting on one replica is listed and answered on any. A decision is one guarded update (the first wins) followed by
/// a <c>NOTIFY</c>; the process's one listening connection (shared with run checkpoints) wakes its waiters, whose rows
/// are re-read on each notification, every <see cref="PollInterval"/> and after a reconnect, so a lost notification
/// delays a decision, never loses it. Failures surface as <see cref="SessionStoreException"/> naming the server. Thread-safe.
/// </summary>
public sealed partial class PostgreSqlApprovalExchange : IToolApprovalExchange, IAsyncDisposable
{
    /// <summary>How many waiting requests <see cref="ListAsync"/> returns at most.</summary>
    public const int MaxListed = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _approvals;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ToolApprovalDecision>> _waiters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private Task? _checker;

    /// <summary>Connects to the database <paramref name="options"/> name; the schema is migrated on first use.</summary>
    /// <param name="options">The connection and schema.</param>
    /// <param name="timeProvider">The clock; defaults to the system clock.</param>
    /// <param name="logger">Logs lost listening connections.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names each key.</exception>
    public PostgreSqlApprovalExchange(PostgreSqlStorageOptions options, TimeProvider? timeProvider = null, ILogger<PostgreSqlApprovalExchange>? logger = null)
        : this(new PostgreSqlDatabase(options), ownsDatabase: true, timeProvider, logger)
    {
    }

    internal PostgreSqlApprovalExchange(PostgreSqlDatabase database, bool ownsDatabase, TimeProvider? timeProvider, ILogger? logger)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _approvals = $"{database.Schema}.approvals";
    }

    /// <summary>How often waiting requests are re-read in case a notification was lost. Defaults to 1 second.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public async ValueTask PublishAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = JsonSerializer.Serialize(request, Json);
        await GuardAsync("publish an approval request", async () =>
        {
            // A resumed run asks again under its recorded id: the row, and any decision given meanwhile, is kept.
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(
                connection,
                $"INSERT INTO {_approvals} (id, session_id, request, requested) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                request.ApprovalId, request.SessionId, json, request.RequestedAt.ToUniversalTime());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ToolApprovalRequest>> ListAsync(string? sessionId, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<ToolApprovalRequest>>("list approval requests", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(
                connection,
                $"SELECT request FROM {_approvals} WHERE decided IS NULL AND ($1::text IS NULL OR session_id = $1) ORDER BY requested, id LIMIT {MaxListed}",
                sessionId);
            return await ReadRequestsAsync(command, cancellationToken).ConfigureAwait(false);
        });

    /// <inheritdoc />
    public async ValueTask<ToolApprovalRequest?> GetAsync(string approvalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        var found = await GuardAsync<IReadOnlyList<ToolApprovalRequest>>("read an approval request", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(connection, $"SELECT request FROM {_approvals} WHERE id = $1 AND decided IS NULL", approvalId);
            return await ReadRequestsAsync(command, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public ValueTask<bool> DecideAsync(string approvalId, ToolApprovalDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        ArgumentNullException.ThrowIfNull(decision);
        return GuardAsync("decide an approval request", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var update = Sql.Command(
                connection,
                $"UPDATE {_approvals} SET decided = $2, approved = $3, reason = $4 WHERE id = $1 AND decided IS NULL",
                approvalId, _time.GetUtcNow(), decision.Approved, decision.Reason);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false;
            }

            // Delivered at commit, to every process listening on the database.
            await using var notify = Sql.Command(connection, "SELECT pg_notify($1, $2)", PostgreSqlNotifications.ApprovalsChannel, _database.Schema);
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <inheritdoc />
    public async Task<ToolApprovalDecision> WaitForDecisionAsync(string approvalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        var waiter = _waiters.GetOrAdd(approvalId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            StartListening();

            // A decision recorded before the listener was up (or while nobody waited) is found here; a failure is left
            // to the checker's polling, which keeps trying.
            try
            {
                await CheckAsync([approvalId], cancellationToken).ConfigureAwait(false);
            }
            catch (SessionStoreException e)
            {
                LogReadFailed(_logger, e);
            }

            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource<ToolApprovalDecision>>(approvalId, waiter));
        }
    }

    /// <inheritdoc />
    public ValueTask WithdrawAsync(string approvalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approvalId);
        return new(GuardAsync("withdraw an approval request", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(connection, $"DELETE FROM {_approvals} WHERE id = $1", approvalId);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }).AsTask());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? checker;
        lock (_gate)
        {
            checker = _checker;
        }

        if (checker is not null)
        {
            await checker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var waiter in _waiters.Values)
        {
            waiter.TrySetCanceled(_stop.Token);
        }

        _stop.Dispose();
        _wake.Dispose();
        if (_ownsDatabase)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void StartListening()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (_checker is null)
            {
                _database.Notifications.Subscribe(PostgreSqlNotifications.ApprovalsChannel, payload =>
                {
                    if (payload is null || string.Equals(payload, _database.Schema, StringComparison.Ordinal))
                    {
                        Wake();
                    }
                });
                _checker = Task.Run(() => CheckWaitersAsync(_stop.Token));
            }
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already awake, or disposed.
        }
    }

    /// <summary>Re-reads the waiting rows on each notification (and after a reconnect) or every poll interval.</summary>
    private async Task CheckWaitersAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(PollInterval, stop).ConfigureAwait(false);
                if (!_waiters.IsEmpty)
                {
                    await CheckAsync([.. _waiters.Keys], stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (SessionStoreException e)
            {
                LogReadFailed(_logger, e);
            }
        }
    }

    /// <summary>Completes the waiters whose rows carry a decision.</summary>
    private async Task CheckAsync(string[] ids, CancellationToken cancellationToken)
    {
        var decided = await GuardAsync<List<(string Id, ToolApprovalDecision Decision)>>("read approval decisions", async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = Sql.Command(connection, $"SELECT id, approved, reason FROM {_approvals} WHERE id = ANY($1) AND decided IS NOT NULL", (object)ids);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<(string, ToolApprovalDecision)>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), new ToolApprovalDecision(reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2))));
            }

            return rows;
        }).ConfigureAwait(false);

        foreach (var (id, decision) in decided)
        {
            if (_waiters.TryGetValue(id, out var waiter))
            {
                waiter.TrySetResult(decision);
            }
        }
    }

    private static async Task<IReadOnlyList<ToolApprovalRequest>> ReadRequestsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var requests = new List<ToolApprovalRequest>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            requests.Add(JsonSerializer.Deserialize<ToolApprovalRequest>(reader.GetString(0), Json)
                ?? throw new InvalidDataException("An approval request row holds JSON null."));
        }

        return requests;
    }

    private ValueTask<T> GuardAsync<T>(string operation, Func<Task<T>> action) => _database.GuardAsync(operation, action);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading approval decisions failed; they are read again at the next notification or poll.")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
