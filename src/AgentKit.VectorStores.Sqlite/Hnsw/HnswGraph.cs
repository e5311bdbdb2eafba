using System.Collections.Concurrent;
using AgentKit.VectorStores.Sqlite.Search;

namespace AgentKit.VectorStores.Sqlite.Hnsw;

/// <summary>
/// A hierarchical navigable small world graph (Malkov and Yashunin, 2016) over the slots of a
/// <see cref="VectorCache"/>: node <c>n</c> is slot <c>n</c>, so the graph adds only its links (about
/// <c>(2M + 1) × 4</c> bytes per node on the bottom layer). Dead slots stay in the graph for navigation and are
/// never returned. Inserts may run in parallel with each other (per-node locks); searches may run in parallel with
/// each other; the owner keeps inserts and searches apart.
/// </summary>
/// <remarks>
/// Exact distance ties (duplicate vectors, common in RAG data) are what disconnects a plain HNSW graph: when a full
/// node prunes its links among equally distant candidates, which one goes is arbitrary, and a node whose every
/// in-link is pruned can no longer be reached. So candidates are ordered by rank, then slot (deterministic), and the
/// bottom layer counts each node's in-links: pruning never takes a node's last in-link (it drops the farthest kept
/// neighbour that has another one instead), so every node stays reachable from some other node.
/// </remarks>
internal sealed partial class HnswGraph
{
    private const int LockStripes = 4096;
    private readonly VectorCache _cache;
    private readonly int _m;
    private readonly int _m0;
    private readonly int _efConstruction;
    private readonly double _levelFactor;
    private readonly Random _random = new(42);
    private readonly object[] _locks;
    private readonly object _entryLock = new();
    private readonly ConcurrentBag<VisitedSet> _visitedPool = [];
    [ThreadStatic]
    private static float[]? t_queryBuffer;
    private int[] _levels;
    private int[] _links0;
    private int[] _inLinks0;
    private int[]?[] _upperLinks;
    private int _entryPoint = -1;
    private int _maxLevel = -1;

    internal HnswGraph(VectorCache cache, HnswOptions options)
    {
        _cache = cache;
        _m = options.M;
        _m0 = options.M * 2;
        _efConstruction = options.EfConstruction;
        _levelFactor = 1 / Math.Log(options.M);
        _locks = new object[LockStripes];
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new object();
        }

        _levels = new int[cache.Capacity];
        _links0 = new int[cache.Capacity * (_m0 + 1)];
        _inLinks0 = new int[cache.Capacity];
        _upperLinks = new int[]?[cache.Capacity];
    }

    /// <summary>Nodes inserted (slots 0 .. <see cref="NodeCount"/> − 1 are in the graph).</summary>
    internal int NodeCount { get; private set; }

    /// <summary>Memory taken by the links, in bytes.</summary>
    internal long Bytes
    {
        get
        {
            long bytes = ((long)_links0.Length * sizeof(int)) + ((long)_levels.Length * sizeof(int));
            foreach (var upper in _upperLinks)
            {
                bytes += upper is null ? 8 : 24 + ((long)upper.Length * sizeof(int));
            }

            return bytes;
        }
    }

    /// <summary>Inserts every slot of the cache not yet in the graph, using up to <paramref name="parallelism"/> threads.</summary>
    internal void AddPending(int parallelism, CancellationToken cancellationToken)
    {
        var from = NodeCount;
        var to = _cache.SlotCount;
        if (to <= from)
        {
            return;
        }

        EnsureCapacity(_cache.Capacity);
        if (parallelism <= 1 || to - from < 1000)
        {
            for (var slot = from; slot < to; slot++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Insert(slot);
            }
        }
        else
        {
            // The first nodes go in one by one, so that parallel inserts start from a connected graph.
            var serial = Math.Min(to, from + 256);
            for (var slot = from; slot < serial; slot++)
            {
                Insert(slot);
            }

            Parallel.For(serial, to, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, Insert);
        }

        NodeCount = to;
    }

    /// <summary>
    /// The <paramref name="k"/> nearest accepted nodes to a prepared query (see <see cref="VectorDistance.PrepareQuery"/>),
    /// nearest first, searching with a candidate list of <paramref name="ef"/>.
    /// </summary>
    internal (long Slot, float Rank)[] Search(ReadOnlySpan<float> query, float queryAuxiliary, int k, int ef, Func<int, bool> accept)
    {
        var entry = _entryPoint;
        if (entry < 0)
        {
            return [];
        }

        var (current, currentRank) = GreedyDescend(query, queryAuxiliary, entry, _maxLevel, 0);
        var results = SearchLayer(query, queryAuxiliary, current, currentRank, Math.Max(ef, k), 0, accept);
        var heap = new TopKHeap(k);
        while (results.TryDequeue(out var slot, out var negativeRank))
        {
            heap.Add(-negativeRank, slot);
        }

        return heap.ToSorted();
    }

    private void Insert(int slot)
    {
        var level = RandomLevel();
        _levels[slot] = level;
        if (level > 0)
        {
            _upperLinks[slot] = new int[level * (_m + 1)];
        }

        int entry;
        int maxLevel;
        lock (_entryLock)
        {
            entry = _entryPoint;
            maxLevel = _maxLevel;
            if (entry < 0)
            {
                _entryPoint = slot;
                _maxLevel = level;
                return;
            }
        }

        var query = t_queryBuffer is { } buffer && buffer.Length == _cache.Dimensions ? buffer : t_queryBuffer = new float[_cache.Dimensions];
        var queryAuxiliary = _cache.Distance.PrepareQuery(_cache.Vector(slot), query);
        var (current, currentRank) = GreedyDescend(query, queryAuxiliary, entry, maxLevel, level + 1);
        for (var layer = Math.Min(level, maxLevel); layer >= 0; layer--)
        {
            var found = SearchLayer(query, queryAuxiliary, current, currentRank, _efConstruction, layer, static _ => true);
            var candidates = new List<(int Slot, float Rank)>(found.Count);
            while (found.TryDequeue(out var node, out var negativeRank))
            {
                candidates.Add((node, -negativeRank));
            }

            candidates.Sort(CompareCandidates);
            (current, currentRank) = candidates[0];
            var neighbours = SelectNeighbours(candidates, _m);
            lock (LockOf(slot))
            {
                SetLinks(slot, layer, neighbours);
            }

            if (layer == 0)
            {
                foreach (var neighbour in neighbours)
                {
                    Interlocked.Increment(ref _inLinks0[neighbour]);
                }
            }

            foreach (var neighbour in neighbours)
            {
                Connect(neighbour, slot, layer);
            }
        }

        if (level > maxLevel)
        {
            lock (_entryLock)
            {
                if (level > _maxLevel)
                {
                    _entryPoint = slot;
                    _maxLevel = level;
                }
            }
        }
    }

    /// <summary>Adds <paramref name="newcomer"/> to the links of <paramref name="node"/>, pruning by the heuristic when full.</summary>
    private void Connect(int node, int newcomer, int layer)
    {
        var capacity = layer == 0 ? _m0 : _m;
        lock (LockOf(node))
        {
            var links = Links(node, layer, out var offset);
            var count = links[offset];
            if (count < capacity)
            {
                links[offset + 1 + count] = newcomer;
                links[offset] = count + 1;
                if (layer == 0)
                {
                    Interlocked.Increment(ref _inLinks0[newcomer]);
                }

                return;
            }

            var candidates = new List<(int Slot, float Rank)>(count + 1) { (newcomer, PairRank(node, newcomer)) };
            for (var i = 0; i < count; i++)
            {
                var other = links[offset + 1 + i];
                candidates.Add((other, PairRank(node, other)));
            }

            candidates.Sort(CompareCandidates);
            var selected = SelectNeighbours(candidates, capacity);
            if (layer == 0)
            {
                KeepInLinks(candidates, selected, newcomer);
            }

            SetLinks(node, layer, selected);
        }
    }

    /// <summary>
    /// Bottom-layer pruning drops one of the candidates; when that would take its last in-link (for the newcomer:
    /// leave it with none), drops instead the farthest kept neighbour that has another in-link, and keeps the counts.
    /// </summary>
    private void KeepInLinks(List<(int Slot, float Rank)> candidates, List<int> selected, int newcomer)
    {
        var dropped = -1;
        foreach (var (slot, _) in candidates)
        {
            if (!selected.Contains(slot))
            {
                dropped = slot;
                break;
            }
        }

        if (!CanDrop(dropped, newcomer))
        {
            var spared = false;
            for (var i = selected.Count - 1; i >= 0 && !spared; i--)
            {
                if (CanDrop(selected[i], newcomer))
                {
                    (selected[i], dropped) = (dropped, selected[i]);
                    spared = true;
                }
            }

            if (!spared && dropped != newcomer)
            {
                // Every kept neighbour has a single in-link too: one of them loses it whatever is dropped.
                Interlocked.Decrement(ref _inLinks0[dropped]);
            }
        }

        if (dropped != newcomer)
        {
            Interlocked.Increment(ref _inLinks0[newcomer]);
        }
    }

    /// <summary>Whether this node's link to <paramref name="slot"/> may go; for an old neighbour, takes its in-link count down when it may.</summary>
    private bool CanDrop(int slot, int newcomer)
    {
        if (slot == newcomer)
        {
            return Volatile.Read(ref _inLinks0[slot]) > 0;
        }

        ref var inLinks = ref _inLinks0[slot];
        var current = Volatile.Read(ref inLinks);
        while (current > 1)
        {
            var seen = Interlocked.CompareExchange(ref inLinks, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Nearest first; equal ranks by slot, so that ties are broken the same way every time.</summary>
    private static int CompareCandidates((int Slot, float Rank) a, (int Slot, float Rank) b)
    {
        var byRank = a.Rank.CompareTo(b.Rank);
        return byRank != 0 ? byRank : a.Slot.CompareTo(b.Slot);
    }

    /// <summary>
    /// The neighbour-selection heuristic: walking candidates nearest first, keeps one only when it is nearer to the
    /// base than to every neighbour kept so far, which keeps links spread across clusters; fills up with the nearest
    /// discarded ones when the heuristic keeps too few.
    /// </summary>
    private List<int> SelectNeighbours(List<(int Slot, float Rank)> sortedCandidates, int count)
    {
        var selected = new List<int>(count);
        if (sortedCandidates.Count <= count)
        {
            selected.AddRange(sortedCandidates.Select(c => c.Slot));
            return selected;
        }

        var discarded = new List<int>();
        foreach (var (candidate, rank) in sortedCandidates)
        {
            if (selected.Count >= count)
            {
                break;
            }

            var keep = true;
            foreach (var kept in selected)
            {
                if (PairRank(candidate, kept) < rank)
                {
                    keep = false;
                    break;
                }
            }

            if (keep)
            {
                selected.Add(candidate);
            }
            else
            {
                discarded.Add(candidate);
            }
        }

        for (var i = 0; i < discarded.Count && selected.Count < count; i++)
        {
            selected.Add(discarded[i]);
        }

        return selected;
    }

    private (int Node, float Rank) GreedyDescend(ReadOnlySpan<float> query, float queryAuxiliary, int entry, int fromLevel, int toLevel)
    {
        var current = entry;
        var currentRank = QueryRank(query, queryAuxiliary, current);
        Span<int> buffer = stackalloc int[_m0 + 1];
        for (var layer = fromLevel; layer >= toLevel; layer--)
        {
            var changed = true;
            while (changed)
            {
                changed = false;
                var count = CopyLinks(current, layer, buffer);
                for (var i = 0; i < count; i++)
                {
                    var rank = QueryRank(query, queryAuxiliary, buffer[i]);
                    if (rank < currentRank)
                    {
                        current = buffer[i];
                        currentRank = rank;
                        changed = true;
                    }
                }
            }
        }

        return (current, currentRank);
    }

    /// <summary>Best-first search of one layer; returns up to <paramref name="ef"/> accepted nodes in a max-heap (priority −rank).</summary>
    private PriorityQueue<int, float> SearchLayer(ReadOnlySpan<float> query, float queryAuxiliary, int entry, float entryRank, int ef, int layer, Func<int, bool> accept)
    {
        var visited = RentVisited();
        try
        {
            var candidates = new PriorityQueue<int, float>();
            var results = new PriorityQueue<int, float>();
            visited.Mark(entry);
            candidates.Enqueue(entry, entryRank);
            if (accept(entry))
            {
                results.Enqueue(entry, -entryRank);
            }

            Span<int> buffer = stackalloc int[_m0 + 1];
            while (candidates.TryDequeue(out var candidate, out var candidateRank))
            {
                var bound = results.Count >= ef && results.TryPeek(out _, out var worst) ? -worst : float.PositiveInfinity;
                if (candidateRank > bound)
                {
                    break;
                }

                var count = CopyLinks(candidate, layer, buffer);
                for (var i = 0; i < count; i++)
                {
                    var neighbour = buffer[i];
                    if (!visited.Mark(neighbour))
                    {
                        continue;
                    }

                    var rank = QueryRank(query, queryAuxiliary, neighbour);
                    if (results.Count < ef || rank < bound)
                    {
                        candidates.Enqueue(neighbour, rank);
                        if (accept(neighbour))
                        {
                            results.Enqueue(neighbour, -rank);
                            if (results.Count > ef)
                            {
                                results.Dequeue();
                            }

                            bound = results.Count >= ef && results.TryPeek(out _, out worst) ? -worst : float.PositiveInfinity;
                        }
                    }
                }
            }

            return results;
        }
        finally
        {
            _visitedPool.Add(visited);
        }
    }

    private float QueryRank(ReadOnlySpan<float> query, float queryAuxiliary, int slot)
        => _cache.Distance.Rank(query, queryAuxiliary, _cache.Vector(slot), _cache.Auxiliary(slot));

    /// <summary>The rank between two stored vectors, symmetric, consistent with <see cref="QueryRank"/> on a prepared copy.</summary>
    private float PairRank(int a, int b)
    {
        var distance = _cache.Distance;
        var va = _cache.Vector(a);
        var vb = _cache.Vector(b);
        return distance.Kind switch
        {
            DistanceKind.CosineSimilarity or DistanceKind.CosineDistance
                => 1f - (System.Numerics.Tensors.TensorPrimitives.Dot(va, vb) * _cache.Auxiliary(a) * _cache.Auxiliary(b)),
            _ => distance.Rank(va, _cache.Auxiliary(a), vb, _cache.Auxiliary(b)),
        };
    }

    private int CopyLinks(int node, int layer, Span<int> buffer)
    {
        if (layer > _levels[node])
        {
            return 0;
        }

        lock (LockOf(node))
        {
            var links = Links(node, layer, out var offset);
            var count = links[offset];
            links.AsSpan(offset + 1, count).CopyTo(buffer);
            return count;
        }
    }

    private void SetLinks(int node, int layer, List<int> neighbours)
    {
        var links = Links(node, layer, out var offset);
        links[offset] = neighbours.Count;
        for (var i = 0; i < neighbours.Count; i++)
        {
            links[offset + 1 + i] = neighbours[i];
        }
    }

    private int[] Links(int node, int layer, out int offset)
    {
        if (layer == 0)
        {
            offset = node * (_m0 + 1);
            return _links0;
        }

        offset = (layer - 1) * (_m + 1);
        return _upperLinks[node]!;
    }

    private object LockOf(int node) => _locks[node & (LockStripes - 1)];

    private int RandomLevel()
    {
        double uniform;
        lock (_random)
        {
            uniform = _random.NextDouble();
        }

        return (int)(-Math.Log(Math.Max(uniform, double.Epsilon)) * _levelFactor);
    }

    private void EnsureCapacity(int capacity)
    {
        if (_levels.Length >= capacity)
        {
            return;
        }

        Array.Resize(ref _levels, capacity);
        Array.Resize(ref _links0, capacity * (_m0 + 1));
        Array.Resize(ref _inLinks0, capacity);
        Array.Resize(ref _upperLinks, capacity);
    }

    private VisitedSet RentVisited()
    {
        var size = _levels.Length;
        while (_visitedPool.TryTake(out var visited))
        {
            if (visited.Size >= size)
            {
                visited.Reset();
                return visited;
            }
        }

        return new VisitedSet(size);
    }

    /// <summary>A visited-node set cleared in O(1) by bumping a stamp.</summary>
    private sealed class VisitedSet(int size)
    {
        private readonly int[] _marks = new int[size];
        private int _stamp = 1;

        internal int Size => _marks.Length;

        internal void Reset()
        {
            if (++_stamp == int.MaxValue)
            {
                Array.Clear(_marks);
                _stamp = 1;
            }
        }

        /// <summary>Marks a node; false when it was already marked.</summary>
        internal bool Mark(int node)
        {
            if (_marks[node] == _stamp)
            {
                return false;
            }

            _marks[node] = _stamp;
            return true;
        }
    }
}
