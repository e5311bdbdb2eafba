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
/// Coincident vectors (identical, or apart by no more than float32 rounding; duplicate chunks are common in RAG data)
/// are what disconnects a plain HNSW graph: their distance ties fill a node's link slots with copies of itself, so a
/// cluster of copies ends up linked only to itself and a search never enters or leaves it. Here coincident nodes
/// ("twins") never take link slots from each other: they are chained in a ring (a circular list through
/// <c>_nextTwin</c>), and a bottom-layer search that reaches one member walks the ring, so all members are found
/// together and every node's slots go to distinct points. A candidate that coincides with a neighbour already chosen
/// is redundant. The bottom layer counts in-links per ring (at its <c>_group</c> member; the links come from other
/// points, never from twins): pruning never takes a ring's last in-link (it drops the farthest kept neighbour that has
/// another one instead), so every ring stays reachable. An exact copy of a stored vector also finds the first slot
/// holding it by a hash of the vector, not only by search, so copies inserted in parallel never stay in rings apart;
/// near-coincident points are found by the insert's search, which merges every ring it finds them in.
/// Candidates are ordered by rank, then slot (deterministic).
/// </remarks>
internal sealed partial class HnswGraph
{
    private const int LockStripes = 4096;

    /// <summary>Cosine ranks (1 − cosine) up to this, and Euclidean ones up to this × the larger squared norm, are rounding noise: the points coincide.</summary>
    private const float CoincidenceTolerance = 1e-6f;
    private readonly VectorCache _cache;
    private readonly int _m;
    private readonly int _m0;
    private readonly int _efConstruction;
    private readonly double _levelFactor;
    private readonly Random _random = new(42);
    private readonly object[] _locks;
    private readonly object _entryLock = new();
    private readonly object _twinLock = new();

    /// <summary>A hash of each distinct stored vector → the first slot holding it (under <see cref="_twinLock"/>).</summary>
    private readonly Dictionary<long, int> _firstCopy = [];
    private int _copiesIndexed;
    private readonly ConcurrentBag<VisitedSet> _visitedPool = [];
    [ThreadStatic]
    private static float[]? t_queryBuffer;
    private int[] _levels;
    private int[] _links0;
    private int[] _inLinks0;
    private int[] _nextTwin;
    private int[] _group;
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
        _nextTwin = new int[cache.Capacity];
        _group = new int[cache.Capacity];
        _upperLinks = new int[]?[cache.Capacity];
    }

    /// <summary>Nodes inserted (slots 0 .. <see cref="NodeCount"/> − 1 are in the graph).</summary>
    internal int NodeCount { get; private set; }

    /// <summary>Memory taken by the links, in bytes.</summary>
    internal long Bytes
    {
        get
        {
            long bytes = ((long)_links0.Length + _levels.Length + _inLinks0.Length + _nextTwin.Length + _group.Length) * sizeof(int);
            bytes += (long)_firstCopy.Count * 28;
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
        IndexCopies(from);
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
        _copiesIndexed = to;
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
        while (results.TryDequeue(out var point, out var negativeRank))
        {
            var member = point;
            do
            {
                if (accept(member))
                {
                    heap.Add(member == point ? -negativeRank : QueryRank(query, queryAuxiliary, member), member);
                }

                member = Volatile.Read(ref _nextTwin[member]);
            }
            while (member != point);
        }

        return heap.ToSorted();
    }

    private void Insert(int slot)
    {
        var level = RandomLevel();
        _levels[slot] = level;
        _nextTwin[slot] = slot;
        _group[slot] = slot;
        var copy = FindCopy(slot);
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
            var neighbours = SelectNeighbours(slot, candidates, _m);
            lock (LockOf(slot))
            {
                SetNewLinks(slot, layer, neighbours);
            }

            if (layer == 0)
            {
                foreach (var neighbour in neighbours)
                {
                    Interlocked.Increment(ref _inLinks0[_group[neighbour]]);
                }

                // Joined only now: a search that reaches the node through its ring finds its links set.
                JoinTwins(slot, candidates, copy);
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
                    Interlocked.Increment(ref _inLinks0[_group[newcomer]]);
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
            var selected = SelectNeighbours(node, candidates, capacity);
            if (layer == 0)
            {
                KeepInLinks(candidates, selected, newcomer, capacity);
            }

            SetLinks(node, layer, selected);
        }
    }

    /// <summary>
    /// Bottom-layer pruning drops the candidates not selected; one whose link is its ring's last in-link (for the
    /// newcomer: whose ring has none yet) is kept instead, in a free slot or in place of the farthest kept neighbour
    /// whose ring has another in-link. Keeps the per-ring counts.
    /// </summary>
    private void KeepInLinks(List<(int Slot, float Rank)> candidates, List<int> selected, int newcomer, int capacity)
    {
        var dropped = new List<int>();
        foreach (var (slot, _) in candidates)
        {
            if (!selected.Contains(slot))
            {
                dropped.Add(slot);
            }
        }

        foreach (var slot in dropped)
        {
            if (CanDrop(slot, newcomer))
            {
                continue;
            }

            if (selected.Count < capacity)
            {
                selected.Add(slot);
                continue;
            }

            var spared = false;
            for (var i = selected.Count - 1; i >= 0 && !spared; i--)
            {
                if (CanDrop(selected[i], newcomer))
                {
                    selected[i] = slot;
                    spared = true;
                }
            }

            if (!spared && slot != newcomer)
            {
                // Every kept neighbour holds its ring's last in-link too: one ring loses it whatever is dropped.
                Interlocked.Decrement(ref _inLinks0[_group[slot]]);
            }
        }

        if (selected.Contains(newcomer))
        {
            Interlocked.Increment(ref _inLinks0[_group[newcomer]]);
        }
    }

    /// <summary>
    /// Whether this node's link to <paramref name="slot"/> may go without leaving its ring unreachable; for an old
    /// neighbour, takes its ring's in-link count down when it may (the newcomer's link is not counted yet).
    /// </summary>
    private bool CanDrop(int slot, int newcomer)
    {
        ref var inLinks = ref _inLinks0[_group[slot]];
        if (slot == newcomer)
        {
            return Volatile.Read(ref inLinks) > 0;
        }

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

    /// <summary>
    /// The first slot holding exactly the vector of <paramref name="slot"/>, or −1 (then <paramref name="slot"/> is
    /// recorded as the first holder of its vector, unless another vector has the same hash).
    /// </summary>
    private int FindCopy(int slot)
    {
        var vector = _cache.Vector(slot);
        var key = VectorKey(vector);
        lock (_twinLock)
        {
            if (_firstCopy.TryGetValue(key, out var first))
            {
                return first != slot && _cache.Vector(first).SequenceEqual(vector) ? first : -1;
            }

            _firstCopy.Add(key, slot);
            return -1;
        }
    }

    /// <summary>Records the vectors of slots already in the graph (a restored graph), so that copies of them are found.</summary>
    private void IndexCopies(int nodeCount)
    {
        lock (_twinLock)
        {
            for (; _copiesIndexed < nodeCount; _copiesIndexed++)
            {
                _firstCopy.TryAdd(VectorKey(_cache.Vector(_copiesIndexed)), _copiesIndexed);
            }
        }
    }

    private static long VectorKey(ReadOnlySpan<float> vector)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector);
        var low = default(HashCode);
        low.AddBytes(bytes);
        var high = default(HashCode);
        high.Add(bytes.Length);
        high.AddBytes(bytes);
        return ((long)high.ToHashCode() << 32) | (uint)low.ToHashCode();
    }

    /// <summary>
    /// Merges the ring of a node being inserted with the ring of the first slot holding exactly its vector
    /// (<paramref name="copy"/>, found by hash whatever inserts run beside it) and of every candidate it coincides
    /// with (bottom-layer candidates stand for whole rings). All of them, not only the first: twins inserted in
    /// parallel may not have seen each other and started rings of their own, and neighbour selection treats
    /// coincident points as one, so a ring left apart could lose its in-links.
    /// </summary>
    private void JoinTwins(int node, List<(int Slot, float Rank)> candidates, int copy)
    {
        if (copy >= 0)
        {
            MergeRings(node, copy);
        }

        foreach (var (candidate, rank) in candidates)
        {
            if (candidate != node && Coincide(node, candidate, rank))
            {
                MergeRings(node, candidate);
            }
        }
    }

    /// <summary>
    /// Splices two distinct rings into one by swapping one successor of each (a node already in a ring, joined by a
    /// concurrent insert, keeps its ring whole), relabels the members of <paramref name="a"/>'s ring with
    /// <paramref name="b"/>'s group and hands that group the in-links. Serialised: merges are rare, and a walk of a
    /// ring running meanwhile still ends, because every node stays on one cycle.
    /// </summary>
    private void MergeRings(int a, int b)
    {
        lock (_twinLock)
        {
            var from = _group[a];
            var to = _group[b];
            if (from == to)
            {
                return;
            }

            var member = a;
            do
            {
                _group[member] = to;
                member = _nextTwin[member];
            }
            while (member != a);

            var successor = _nextTwin[a];
            Volatile.Write(ref _nextTwin[a], _nextTwin[b]);
            Volatile.Write(ref _nextTwin[b], successor);
            Interlocked.Add(ref _inLinks0[to], Interlocked.Exchange(ref _inLinks0[from], 0));
        }
    }

    /// <summary>
    /// Whether two stored vectors are the same point for the distance: equal, or (cosine and Euclidean, whose ranks
    /// are distances) nearer than float32 rounding can tell apart. <paramref name="rank"/> is their rank.
    /// </summary>
    private bool Coincide(int a, int b, float rank)
    {
        var tolerance = _cache.Distance.Kind switch
        {
            DistanceKind.CosineSimilarity or DistanceKind.CosineDistance => CoincidenceTolerance,
            DistanceKind.EuclideanDistance or DistanceKind.EuclideanSquaredDistance => CoincidenceTolerance * MathF.Max(_cache.Auxiliary(a), _cache.Auxiliary(b)),
            _ => float.NegativeInfinity,
        };
        return rank <= tolerance || _cache.Vector(a).SequenceEqual(_cache.Vector(b));
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
    /// discarded ones when the heuristic keeps too few. Twins of the base (reached through its ring) and candidates
    /// coinciding with a kept neighbour (reached through that one's ring) take no slot.
    /// </summary>
    private List<int> SelectNeighbours(int node, List<(int Slot, float Rank)> sortedCandidates, int count)
    {
        var selected = new List<int>(count);
        var fitAll = sortedCandidates.Count <= count;
        var discarded = new List<int>();
        foreach (var (candidate, rank) in sortedCandidates)
        {
            if (selected.Count >= count)
            {
                break;
            }

            if (candidate == node || Coincide(node, candidate, rank))
            {
                continue;
            }

            var keep = true;
            var redundant = false;
            for (var i = 0; i < selected.Count && !fitAll; i++)
            {
                var between = PairRank(candidate, selected[i]);
                if (between < rank)
                {
                    keep = false;
                    redundant = Coincide(candidate, selected[i], between);
                    break;
                }
            }

            if (keep)
            {
                selected.Add(candidate);
            }
            else if (!redundant)
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

    /// <summary>
    /// Best-first search of one layer; returns up to <paramref name="ef"/> accepted points in a max-heap (priority
    /// −rank). On the bottom layer a point is a ring of twins, reached through any member, named by that member,
    /// accepted when any member is, expanded through the links of all: copies of one vector take one place in the
    /// candidate list, so they cannot crowd out the distinct points the search needs to find its way.
    /// </summary>
    private PriorityQueue<int, float> SearchLayer(ReadOnlySpan<float> query, float queryAuxiliary, int entry, float entryRank, int ef, int layer, Func<int, bool> accept)
    {
        var visited = RentVisited();
        try
        {
            var search = new LayerSearch(ef);
            visited.Mark(entry);
            search.Consider(entry, entryRank, Reach(entry, layer, visited, accept));
            Span<int> buffer = stackalloc int[_m0 + 1];
            while (search.Candidates.TryDequeue(out var candidate, out var candidateRank))
            {
                if (candidateRank > search.Bound)
                {
                    break;
                }

                var member = candidate;
                do
                {
                    var count = CopyLinks(member, layer, buffer);
                    for (var i = 0; i < count; i++)
                    {
                        var neighbour = buffer[i];
                        if (visited.Mark(neighbour))
                        {
                            search.Consider(neighbour, QueryRank(query, queryAuxiliary, neighbour), Reach(neighbour, layer, visited, accept));
                        }
                    }

                    member = layer == 0 ? Volatile.Read(ref _nextTwin[member]) : candidate;
                }
                while (member != candidate);
            }

            return search.Results;
        }
        finally
        {
            _visitedPool.Add(visited);
        }
    }

    /// <summary>Marks the twins of a node just reached (on the bottom layer) as visited; whether it or any twin is accepted.</summary>
    private bool Reach(int node, int layer, VisitedSet visited, Func<int, bool> accept)
    {
        var accepted = accept(node);
        if (layer == 0)
        {
            for (var twin = Volatile.Read(ref _nextTwin[node]); twin != node; twin = Volatile.Read(ref _nextTwin[twin]))
            {
                visited.Mark(twin);
                accepted = accepted || accept(twin);
            }
        }

        return accepted;
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

    /// <summary>
    /// Sets the links of a node being inserted, keeping the links to newcomers that other inserts added meanwhile
    /// (they reached it from above or through its ring) while there is room; on the bottom layer, takes back the
    /// in-link counts of those it cannot keep and of those it already links to (each link counts once).
    /// </summary>
    private void SetNewLinks(int node, int layer, List<int> neighbours)
    {
        var links = Links(node, layer, out var offset);
        var added = links.AsSpan(offset + 1, links[offset]).ToArray();
        var capacity = layer == 0 ? _m0 : _m;
        SetLinks(node, layer, neighbours);
        foreach (var newcomer in added)
        {
            if (!neighbours.Contains(newcomer) && links[offset] < capacity)
            {
                links[offset + 1 + links[offset]] = newcomer;
                links[offset]++;
            }
            else if (layer == 0)
            {
                Interlocked.Decrement(ref _inLinks0[_group[newcomer]]);
            }
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
        Array.Resize(ref _nextTwin, capacity);
        Array.Resize(ref _group, capacity);
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

    /// <summary>The candidate queue and result list of one layer search.</summary>
    private sealed class LayerSearch(int ef)
    {
        /// <summary>Nodes to expand, nearest first.</summary>
        internal PriorityQueue<int, float> Candidates { get; } = new();

        /// <summary>Up to ef accepted nodes, farthest first (priority −rank).</summary>
        internal PriorityQueue<int, float> Results { get; } = new();

        /// <summary>The rank a node must beat to enter the full result list (infinite until it is full).</summary>
        internal float Bound => Results.Count >= ef && Results.TryPeek(out _, out var worst) ? -worst : float.PositiveInfinity;

        /// <summary>Queues a reached point for expansion, and as a result when accepted, unless it cannot improve the full results.</summary>
        internal void Consider(int node, float rank, bool accepted)
        {
            if (Results.Count >= ef && !(rank < Bound))
            {
                return;
            }

            Candidates.Enqueue(node, rank);
            if (accepted)
            {
                Results.Enqueue(node, -rank);
                if (Results.Count > ef)
                {
                    Results.Dequeue();
                }
            }
        }
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
