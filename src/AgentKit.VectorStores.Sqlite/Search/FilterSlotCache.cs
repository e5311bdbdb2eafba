using AgentKit.VectorStores.Sqlite.Filtering;

namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// The results of recent filters as bitmaps over a <see cref="VectorCache"/>'s slots, least recently used dropped
/// first. An entry is valid for the index's current generation: the index keeps it valid across its own store's
/// writes (<see cref="ApplyWrite"/>) and clears the cache on anything else (a reload, a compaction, a write it did
/// not see). Thread-safe: searches look up and add under the index's read lock, concurrently.
/// </summary>
internal sealed class FilterSlotCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();

    internal int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The cached bitmap of a filter, marked as the most recently used.</summary>
    internal bool TryGet(string key, out SlotBitmap slots)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                slots = node.Value.Slots;
                return true;
            }
        }

        slots = null!;
        return false;
    }

    /// <summary>Keeps a filter's bitmap, dropping the least recently used entry beyond the capacity.</summary>
    internal void Add(string key, SqlFilter filter, SlotBitmap slots)
    {
        lock (_entries)
        {
            if (_entries.ContainsKey(key))
            {
                return;
            }

            _entries.Add(key, _recency.AddFirst(new Entry(key, filter, slots)));
            if (_entries.Count > capacity)
            {
                _entries.Remove(_recency.Last!.Value.Key);
                _recency.RemoveLast();
            }
        }
    }

    /// <summary>The cached filters, most recently used first (what a write re-evaluates for its rows).</summary>
    internal List<(string Key, SqlFilter Filter)> MostRecentFirst()
    {
        lock (_entries)
        {
            return [.. _recency.Select(e => (e.Key, e.Filter))];
        }
    }

    internal void Clear()
    {
        lock (_entries)
        {
            _entries.Clear();
            _recency.Clear();
        }
    }

    /// <summary>
    /// Brings every bitmap up to a write applied to the cache: <paramref name="vacated"/> slots (deleted records,
    /// or the old slots of moved vectors) leave every bitmap; each <paramref name="written"/> slot joins a bitmap
    /// when its row id is among that filter's <paramref name="matches"/> and leaves it otherwise. A filter without
    /// matches (not evaluated for this write) is dropped when rows were written.
    /// </summary>
    /// <param name="slotCount">The cache's slot count after the write.</param>
    /// <param name="vacated">Slots no record occupies any more.</param>
    /// <param name="written">The slots of the upserted records, with their row ids.</param>
    /// <param name="matches">Per filter key, the written row ids passing the filter; null when none was evaluated.</param>
    internal void ApplyWrite(int slotCount, IReadOnlyList<int> vacated, IReadOnlyList<(int Slot, long RowId)> written, IReadOnlyDictionary<string, HashSet<long>>? matches)
    {
        lock (_entries)
        {
            for (var node = _recency.First; node is not null;)
            {
                var next = node.Next;
                var entry = node.Value;
                HashSet<long>? passing = null;
                if (written.Count > 0 && (matches is null || !matches.TryGetValue(entry.Key, out passing)))
                {
                    _entries.Remove(entry.Key);
                    _recency.Remove(node);
                    node = next;
                    continue;
                }

                var slots = entry.Slots;
                slots.EnsureCapacity(slotCount);
                foreach (var slot in vacated)
                {
                    slots.Clear(slot);
                }

                foreach (var (slot, rowId) in written)
                {
                    if (passing!.Contains(rowId))
                    {
                        slots.Set(slot);
                    }
                    else
                    {
                        slots.Clear(slot);
                    }
                }

                node = next;
            }
        }
    }

    private sealed record Entry(string Key, SqlFilter Filter, SlotBitmap Slots);
}
