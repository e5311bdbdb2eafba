using System.Collections.Concurrent;

namespace AgentKit.Memory.Read;

/// <summary>
/// Last-accessed times set by reads and not yet written to the store. Reads see them at once (a pending time wins
/// over the stored one); the store gets them in batches, so a read does not pay for a write transaction.
/// </summary>
internal sealed class AccessTracker
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pending = new();

    public int Count => _pending.Count;

    public DateTimeOffset Effective(Guid id, DateTimeOffset stored) =>
        _pending.TryGetValue(id, out var pending) && pending > stored ? pending : stored;

    public void Record(IEnumerable<Guid> ids, DateTimeOffset when)
    {
        foreach (var id in ids)
        {
            _pending.AddOrUpdate(id, when, (_, old) => old > when ? old : when);
        }
    }

    /// <summary>Takes the pending times; the caller writes them (and hands back any it could not with <see cref="Record"/>).</summary>
    public Dictionary<Guid, DateTimeOffset> Drain()
    {
        var taken = new Dictionary<Guid, DateTimeOffset>();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var when))
            {
                taken[id] = when;
            }
        }

        return taken;
    }

    public void Forget(Guid id) => _pending.TryRemove(id, out _);
}
