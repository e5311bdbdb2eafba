namespace AgentKit.Agents.Checkpoints;

/// <summary>
/// Wakes readers that follow a run's checkpoints (a client attached to a run this process does not run) when the run
/// may have a new one, so they read at once instead of at their next poll. A store that hears of the appends of every
/// process sharing it (PostgreSQL's <c>LISTEN</c>/<c>NOTIFY</c>) exposes one as <see cref="IRunCheckpointStore.Signals"/>;
/// the runner keeps one of its own for the runs it executes. A signal carries no data: the reader re-reads the store.
/// Thread-safe; a watch holds one entry until it is disposed.
/// </summary>
public sealed class RunCheckpointSignals
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<RunCheckpointWatch>> _watches = new(StringComparer.Ordinal);

    /// <summary>Starts watching a run: take the watch before reading the store, so no append between the read and the wait is missed.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>The watch; dispose it when done.</returns>
    public RunCheckpointWatch Watch(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var watch = new RunCheckpointWatch(this, runId);
        lock (_lock)
        {
            if (!_watches.TryGetValue(runId, out var list))
            {
                _watches[runId] = list = [];
            }

            list.Add(watch);
        }

        return watch;
    }

    /// <summary>Wakes the watches of a run: it has a new checkpoint, or finished.</summary>
    /// <param name="runId">The run.</param>
    public void Signal(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        RunCheckpointWatch[] woken;
        lock (_lock)
        {
            woken = _watches.TryGetValue(runId, out var list) ? [.. list] : [];
        }

        foreach (var watch in woken)
        {
            watch.Set();
        }
    }

    /// <summary>Wakes every watch: signals may have been lost (a listening connection was re-opened).</summary>
    public void SignalAll()
    {
        RunCheckpointWatch[] woken;
        lock (_lock)
        {
            woken = [.. _watches.Values.SelectMany(w => w)];
        }

        foreach (var watch in woken)
        {
            watch.Set();
        }
    }

    internal void Remove(RunCheckpointWatch watch)
    {
        lock (_lock)
        {
            if (_watches.TryGetValue(watch.RunId, out var list) && list.Remove(watch) && list.Count == 0)
            {
                _watches.Remove(watch.RunId);
            }
        }
    }
}

/// <summary>One reader's watch on a run's checkpoints (<see cref="RunCheckpointSignals.Watch"/>).</summary>
public sealed class RunCheckpointWatch : IDisposable
{
    private readonly RunCheckpointSignals _signals;
    private readonly Lock _lock = new();
    private TaskCompletionSource _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RunCheckpointWatch(RunCheckpointSignals signals, string runId)
    {
        _signals = signals;
        RunId = runId;
    }

    /// <summary>The run watched.</summary>
    public string RunId { get; }

    /// <summary>
    /// Waits for a signal given since the watch began or since the previous wait returned, or for <paramref name="timeout"/>.
    /// Read the store after it returns: a signal given while reading wakes the next wait.
    /// </summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> when signalled, <see langword="false"/> after the timeout.</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Task signalled;
        lock (_lock)
        {
            signalled = _signalled.Task;
        }

        try
        {
            await signalled.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        lock (_lock)
        {
            _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return true;
    }

    /// <summary>Stops watching.</summary>
    public void Dispose() => _signals.Remove(this);

    internal void Set()
    {
        lock (_lock)
        {
            _signalled.TrySetResult();
        }
    }
}
