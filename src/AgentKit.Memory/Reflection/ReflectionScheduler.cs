using System.Collections.Concurrent;
using System.Threading.Channels;

namespace AgentKit.Memory;

/// <summary>
/// Agents waiting for a reflection, read by the hosted <c>MemoryReflectionService</c>. Bounded; an agent already
/// waiting is not queued twice. When the queue is full the request is dropped: the agent stays over its threshold,
/// so its next write asks again.
/// </summary>
public sealed class ReflectionScheduler
{
    private readonly Channel<string> _channel;
    private readonly ConcurrentDictionary<string, byte> _waiting = new(StringComparer.Ordinal);

    /// <summary>Creates the queue.</summary>
    /// <param name="capacity">The most agents waiting at once. Defaults to 64.</param>
    public ReflectionScheduler(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _channel = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    }

    /// <summary>How many agents are waiting.</summary>
    public int Count => _waiting.Count;

    /// <summary>Asks for a reflection of <paramref name="agentId"/>.</summary>
    /// <param name="agentId">The agent.</param>
    /// <returns>Whether the agent is now waiting (also when it already was); <see langword="false"/> when the queue is full.</returns>
    public bool TrySchedule(string agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        if (!_waiting.TryAdd(agentId, 0))
        {
            return true;
        }

        if (_channel.Writer.TryWrite(agentId))
        {
            return true;
        }

        _waiting.TryRemove(agentId, out _);
        return false;
    }

    /// <summary>Reads the waiting agents until <paramref name="cancellationToken"/> is cancelled; an agent can be queued again once read.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The agents, in the order they were queued.</returns>
    public async IAsyncEnumerable<string> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var agentId in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            _waiting.TryRemove(agentId, out _);
            yield return agentId;
        }
    }
}
