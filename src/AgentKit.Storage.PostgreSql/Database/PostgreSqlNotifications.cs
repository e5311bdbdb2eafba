using AgentKit.Agents.Sessions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentKit.Storage.PostgreSql.Database;

/// <summary>
/// The one connection per process (per <see cref="PostgreSqlDatabase"/>) that <c>LISTEN</c>s for AgentKit's
/// notifications — approval decisions and run checkpoints — and hands each to the handlers subscribed to its channel.
/// Started by the first subscription. A lost connection is logged as a <see cref="PostgreSqlStorageException"/> naming
/// the server and re-opened with backoff (100 ms doubling to 5 s); after every (re)connect each handler is called with
/// <see langword="null"/>, since notifications sent meanwhile are gone and subscribers must re-read.
/// </summary>
internal sealed partial class PostgreSqlNotifications(PostgreSqlDatabase database, ILogger logger) : IAsyncDisposable
{
    /// <summary>Approval decisions on any schema of the database; the payload is the schema.</summary>
    public const string ApprovalsChannel = "agentkit_approvals";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Action<string?>>> _handlers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _listener;
    private int _connects;

    /// <summary>
    /// Run checkpoints of this database's schema; the payload is the run id. Channel names are at most 63 bytes: two
    /// schemas sharing their first 49 characters share the channel, and a reader woken for another schema's run finds nothing new.
    /// </summary>
    public string RunsChannel { get; } = Truncate("agentkit_runs_" + database.Schema);

    /// <summary>How long the connection may sit without traffic before a query checks it is still there. Defaults to 15 seconds.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many times the connection was (re)opened and listening, for tests and diagnostics.</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>
    /// Calls <paramref name="handler"/> with each notification's payload on <paramref name="channel"/> (one of the two
    /// above), and with <see langword="null"/> after each connect. It runs on the listener's loop: it must be quick and must not throw.
    /// </summary>
    public void Subscribe(string channel, Action<string?> handler)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (!_handlers.TryGetValue(channel, out var list))
            {
                _handlers[channel] = list = [];
            }

            list.Add(handler);
            _listener ??= Task.Run(() => ListenAsync(_stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? listener;
        lock (_lock)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            listener = _listener;
        }

        if (listener is not null)
        {
            await listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ApprovalsChannel}; LISTEN {RunsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _connects);
                backoff = TimeSpan.FromMilliseconds(100);
                Dispatch(null, null);
                while (!stop.IsCancellationRequested)
                {
                    // Notifications are handled during the wait; a quiet connection is checked with a query, so a
                    // server gone without a word is noticed within the keep-alive.
                    if (!await connection.WaitAsync(KeepAlive, stop).ConfigureAwait(false))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stop).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or PostgreSqlStorageException or SessionStoreException or IOException or TimeoutException)
            {
                var described = e as PostgreSqlStorageException ?? (e is NpgsqlException n ? database.Describe("keep listening for notifications", n) : null);
                LogListenerLost(logger, database.Server, backoff.TotalMilliseconds, (Exception?)described ?? e);
                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Calls the handlers of <paramref name="channel"/>, or with <see langword="null"/> every handler.</summary>
    private void Dispatch(string? channel, string? payload)
    {
        Action<string?>[] handlers;
        lock (_lock)
        {
            handlers = channel is null ? [.. _handlers.Values.SelectMany(h => h)] : _handlers.TryGetValue(channel, out var list) ? [.. list] : [];
        }

        foreach (var handler in handlers)
        {
            handler(payload);
        }
    }

    private static string Truncate(string channel) => channel.Length <= 63 ? channel : channel[..63];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for notifications on PostgreSQL at {Server} failed; reconnecting in {DelayMs} ms.")]
    private static partial void LogListenerLost(ILogger logger, string server, double delayMs, Exception exception);
}
