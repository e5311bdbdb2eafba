using System.Runtime.InteropServices;
using AgentKit.VectorStores.Sqlite.Search;

namespace AgentKit.VectorStores.Sqlite.Hnsw;

/// <summary>
/// Saving the graph with the slot layout of its cache, and restoring both, so that a reopened store need not
/// rebuild the graph. The format: a header (format, dimensions, distance, M, efConstruction, slots, entry point,
/// top level), the row id of every slot (−1 for dead ones), each node's level, the bottom-layer links, each node's
/// next twin, the upper links of the nodes that have some, and the vectors of dead slots (kept for navigation, gone from the table). The
/// live vectors are not saved: they are read from the vector table, whose rows must match the saved row ids.
/// </summary>
internal sealed partial class HnswGraph
{
    private const int Magic = 0x57534E48;
    private const int FormatVersion = 2;

    /// <summary>Serializes the graph and its cache's layout into parts of at most <paramref name="partBytes"/> bytes. The graph must hold every slot of the cache.</summary>
    internal List<byte[]> Save(int partBytes)
    {
        var slots = _cache.SlotCount;
        if (NodeCount != slots)
        {
            throw new InvalidOperationException($"The graph holds {NodeCount} of the cache's {slots} slots; link the pending ones before saving.");
        }

        var writer = new PartWriter(partBytes);
        writer.Write<int>([Magic, FormatVersion, _cache.Dimensions, (int)_cache.Distance.Kind, _m, _efConstruction, slots, _entryPoint, _maxLevel]);
        writer.Write(_cache.RowIds);
        writer.Write<int>(_levels.AsSpan(0, slots));
        writer.Write<int>(_links0.AsSpan(0, slots * (_m0 + 1)));
        writer.Write<int>(_nextTwin.AsSpan(0, slots));
        for (var node = 0; node < slots; node++)
        {
            if (_levels[node] > 0)
            {
                writer.Write<int>(_upperLinks[node]);
            }
        }

        for (var slot = 0; slot < slots; slot++)
        {
            if (!_cache.IsLive(slot))
            {
                writer.Write(_cache.Vector(slot));
            }
        }

        return writer.Finish();
    }

    /// <summary>
    /// Restores a saved graph over a new cache with the saved slot layout, dead-slot vectors set and live vectors
    /// still to be filled (<see cref="VectorCache.SetVector"/>). Null when the data was saved for other dimensions,
    /// distance or HNSW parameters, or is not a saved graph.
    /// </summary>
    internal static (VectorCache Cache, HnswGraph Graph)? TryRestore(ReadOnlySpan<byte> data, int dimensions, VectorDistance distance, HnswOptions options, int capacity)
    {
        var reader = new PartReader(data);
        Span<int> header = stackalloc int[9];
        if (!reader.TryRead(header) || header[0] != Magic || header[1] != FormatVersion || header[2] != dimensions
            || header[3] != (int)distance.Kind || header[4] != options.M || header[5] != options.EfConstruction || header[6] < 0)
        {
            return null;
        }

        var slots = header[6];
        var rowIds = new long[slots];
        if (!reader.TryRead<long>(rowIds))
        {
            return null;
        }

        var cache = VectorCache.WithLayout(dimensions, distance, rowIds, Math.Max(capacity, slots));
        var graph = new HnswGraph(cache, options) { NodeCount = slots, _entryPoint = header[7], _maxLevel = header[8] };
        if (!reader.TryRead<int>(graph._levels.AsSpan(0, slots)) || !reader.TryRead<int>(graph._links0.AsSpan(0, slots * (graph._m0 + 1)))
            || !reader.TryRead<int>(graph._nextTwin.AsSpan(0, slots)) || !graph.TryRestoreGroups(slots))
        {
            return null;
        }

        // In-link counts are not saved: they follow from the bottom-layer links.
        for (var node = 0; node < slots; node++)
        {
            var offset = node * (graph._m0 + 1);
            var count = graph._links0[offset];
            if ((uint)count > (uint)graph._m0)
            {
                return null;
            }

            foreach (var target in graph._links0.AsSpan(offset + 1, count))
            {
                if ((uint)target >= (uint)slots)
                {
                    return null;
                }

                graph._inLinks0[graph._group[target]]++;
            }
        }

        for (var node = 0; node < slots; node++)
        {
            var level = graph._levels[node];
            if (level > 0)
            {
                var links = new int[level * (graph._m + 1)];
                if (!reader.TryRead<int>(links))
                {
                    return null;
                }

                graph._upperLinks[node] = links;
            }
        }

        var vector = new float[dimensions];
        for (var slot = 0; slot < slots; slot++)
        {
            if (rowIds[slot] < 0)
            {
                if (!reader.TryRead<float>(vector))
                {
                    return null;
                }

                cache.SetVector(slot, vector);
            }
        }

        return reader.AtEnd && (slots == 0 || (uint)graph._entryPoint < (uint)slots) ? (cache, graph) : null;
    }

    /// <summary>
    /// Checks that the restored next-twin pointers form rings (each slot the next of exactly one), and names each
    /// ring's group after its first slot.
    /// </summary>
    private bool TryRestoreGroups(int slots)
    {
        var pointedTo = new bool[slots];
        for (var slot = 0; slot < slots; slot++)
        {
            var next = _nextTwin[slot];
            if ((uint)next >= (uint)slots || pointedTo[next])
            {
                return false;
            }

            pointedTo[next] = true;
            _group[slot] = -1;
        }

        for (var slot = 0; slot < slots; slot++)
        {
            if (_group[slot] < 0)
            {
                var member = slot;
                do
                {
                    _group[member] = slot;
                    member = _nextTwin[member];
                }
                while (member != slot);
            }
        }

        return true;
    }

    /// <summary>Appends values to a list of byte arrays of a fixed size (the last one shorter).</summary>
    private sealed class PartWriter(int partBytes)
    {
        private readonly List<byte[]> _parts = [];
        private byte[] _current = new byte[partBytes];
        private int _used;

        internal void Write<T>(ReadOnlySpan<T> values)
            where T : unmanaged
        {
            var bytes = MemoryMarshal.AsBytes(values);
            while (bytes.Length > 0)
            {
                if (_used == _current.Length)
                {
                    _parts.Add(_current);
                    _current = new byte[partBytes];
                    _used = 0;
                }

                var take = Math.Min(bytes.Length, _current.Length - _used);
                bytes[..take].CopyTo(_current.AsSpan(_used));
                _used += take;
                bytes = bytes[take..];
            }
        }

        internal List<byte[]> Finish()
        {
            _parts.Add(_current.AsSpan(0, _used).ToArray());
            return _parts;
        }
    }

    /// <summary>Reads values back from the concatenated parts; false when the data ends early.</summary>
    private ref struct PartReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        internal readonly bool AtEnd => _rest.IsEmpty;

        internal bool TryRead<T>(scoped Span<T> destination)
            where T : unmanaged
        {
            var bytes = MemoryMarshal.AsBytes(destination);
            if (_rest.Length < bytes.Length)
            {
                return false;
            }

            _rest[..bytes.Length].CopyTo(bytes);
            _rest = _rest[bytes.Length..];
            return true;
        }
    }
}
