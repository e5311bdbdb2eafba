using System.Runtime.CompilerServices;
using AgentKit.Agents.Events;

namespace AgentKit.Agents.Runs;

/// <summary>
/// A run's events kept for clients that attach while it runs or shortly after (a resumed run has no caller
/// enumerating it). Holds at most <see cref="MaxEvents"/> events; past that only the final event is added.
/// </summary>
internal sealed class RunEventLog(string runId, string sessionId)
{
    public const int MaxEvents = 10_000;

    private readonly Lock _lock = new();
    private readonly List<AgentEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _completed;

    public string RunId { get; } = runId;

    public string SessionId { get; } = sessionId;

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    public void Add(AgentEvent evt)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_events.Count < MaxEvents || evt is RunCompletedEvent or RunFailedEvent)
            {
                _events.Add(evt);
            }

            (changed, _changed) = (_changed, new(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        changed.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _completed = true;
            changed = _changed;
        }

        changed.TrySetResult();
    }

    /// <summary>The events after <paramref name="afterSequence"/>, then each new one until the run ends.</summary>
    public async IAsyncEnumerable<AgentEvent> ReadAsync(long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = 0;
        while (true)
        {
            AgentEvent[] batch;
            bool completed;
            Task changed;
            lock (_lock)
            {
                batch = [.. _events.Skip(next)];
                next = _events.Count;
                completed = _completed;
                changed = _changed.Task;
            }

            foreach (var evt in batch)
            {
                if (RunEventIds.Unseen(evt, afterSequence) is { } unseen)
                {
                    yield return unseen;
                }
            }

            if (completed)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
