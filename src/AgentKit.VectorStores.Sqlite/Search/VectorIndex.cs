using AgentKit.VectorStores.Sqlite.Hnsw;
using AgentKit.VectorStores.Sqlite.Schema;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// The in-memory search state of one vector property of one collection: the vector cache and, when the property
/// uses it, the HNSW graph. It mirrors the vector table at a known collection generation (a counter every write
/// transaction bumps in the catalog): writes made through this store are applied after they commit; a generation
/// it did not see (another store instance or process wrote) makes it reload. Searches share a read lock; loading
/// and applying writes take the write lock.
/// </summary>
internal sealed class VectorIndex : IDisposable
{
    private const double DeadFractionBeforeCompaction = 0.25;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly VectorColumn _column;
    private readonly SqliteVectorStoreOptions _options;
    private VectorCache? _cache;
    private HnswGraph? _graph;
    private long _generation = -1;

    internal VectorIndex(VectorColumn column, SqliteVectorStoreOptions options)
    {
        _column = column;
        _options = options;
    }

    /// <summary>What the index holds after <see cref="EnsureCurrent"/>.</summary>
    internal enum State
    {
        /// <summary>The vectors are cached; searches run in memory.</summary>
        Cached,

        /// <summary>The vectors exceed the cache budget; searches stream them from the file.</summary>
        Streamed,
    }

    internal VectorColumn Column => _column;

    /// <summary>Whether searches currently go through the HNSW graph (for figures and tests).</summary>
    internal bool UsesGraph => _graph is not null;

    internal int CachedCount => _cache?.LiveCount ?? 0;

    internal long CacheBytes => _cache?.Bytes ?? 0;

    internal long GraphBytes => _graph?.Bytes ?? 0;

    /// <summary>
    /// Brings the index to <paramref name="generation"/>: reloads through <paramref name="load"/> when it mirrors
    /// another generation, and builds the graph when the property wants one. <paramref name="count"/> gives the
    /// number of vectors, to decide between caching and streaming.
    /// </summary>
    internal State EnsureCurrent(long generation, Func<long> count, Action<VectorCache> load, out bool reloaded, CancellationToken cancellationToken)
    {
        reloaded = false;
        _lock.EnterReadLock();
        try
        {
            if (_generation == generation && (_cache is null || !WantsGraph(_cache.LiveCount) || _graph is { } g && g.NodeCount == _cache.SlotCount))
            {
                return _cache is null ? State.Streamed : State.Cached;
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        _lock.EnterWriteLock();
        try
        {
            if (_generation != generation)
            {
                _cache = null;
                _graph = null;
                var records = count();
                var forceCache = _column.IndexKind == IndexKind.Hnsw || (_column.IndexKind == IndexKind.Dynamic && records >= _options.HnswThreshold);
                if (forceCache || VectorCache.EstimateBytes(records, _column.Dimensions) <= _options.VectorCacheMaxBytes)
                {
                    var cache = new VectorCache(_column.Dimensions, _column.Distance, (int)Math.Min(int.MaxValue, records + 16));
                    load(cache);
                    _cache = cache;
                }

                _generation = generation;
                reloaded = true;
            }

            if (_cache is { } cached && WantsGraph(cached.LiveCount))
            {
                _graph ??= new HnswGraph(cached, _options.Hnsw);
                reloaded |= _graph.NodeCount < cached.SlotCount;
                _graph.AddPending(_options.MaxScanParallelism, cancellationToken);
            }

            return _cache is null ? State.Streamed : State.Cached;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Applies a committed write. <paramref name="previousGeneration"/> is the generation the write started from;
    /// when the index mirrors another one it is dropped and reloads on the next search.
    /// </summary>
    internal void Apply(long previousGeneration, long newGeneration, IReadOnlyList<(long RowId, ReadOnlyMemory<float> Vector)> upserts, IReadOnlyList<long> deletes)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_generation != previousGeneration)
            {
                Invalidate();
                return;
            }

            _generation = newGeneration;
            if (_cache is not { } cache)
            {
                return;
            }

            foreach (var rowId in deletes)
            {
                cache.Remove(rowId);
            }

            foreach (var (rowId, vector) in upserts)
            {
                if (cache.TryGetSlot(rowId, out var slot))
                {
                    if (_graph is null)
                    {
                        cache.Overwrite(slot, vector.Span);
                        continue;
                    }

                    // A moved vector would leave the graph's links pointing at its old neighbourhood: re-insert it.
                    cache.Remove(rowId);
                }

                cache.Append(rowId, vector.Span);
            }

            if (VectorCache.EstimateBytes(cache.LiveCount, cache.Dimensions) > _options.VectorCacheMaxBytes && !WantsGraph(cache.LiveCount))
            {
                Invalidate();
                return;
            }

            if (cache.DeadCount > 1024 && cache.DeadCount > cache.SlotCount * DeadFractionBeforeCompaction)
            {
                _graph = null;
                cache.Compact();
            }

            if (_graph is not null)
            {
                _graph.AddPending(1, CancellationToken.None);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Drops the cached state; the next search reloads.</summary>
    internal void Invalidate()
    {
        _cache = null;
        _graph = null;
        _generation = -1;
    }

    /// <summary>
    /// Searches the cached vectors: the <paramref name="k"/> nearest row ids with their reported scores, nearest
    /// first. <paramref name="filterRowIds"/> restricts the candidates (null: all). Returns null when the index is not
    /// cached any more (a concurrent invalidation); the caller then streams.
    /// </summary>
    internal (long RowId, double Score)[]? Search(ReadOnlySpan<float> query, int k, IReadOnlyCollection<long>? filterRowIds)
    {
        _lock.EnterReadLock();
        try
        {
            if (_cache is not { } cache)
            {
                return null;
            }

            var prepared = new float[cache.Dimensions];
            var queryAuxiliary = cache.Distance.PrepareQuery(query, prepared);
            (long Slot, float Rank)[] nearest;
            if (filterRowIds is null)
            {
                nearest = _graph is { } graph
                    ? graph.Search(prepared, queryAuxiliary, k, Math.Max(_options.Hnsw.EfSearch, k), cache.IsLive)
                    : ScanAll(cache, prepared, queryAuxiliary, k);
            }
            else
            {
                var slots = new List<int>(filterRowIds.Count);
                foreach (var rowId in filterRowIds)
                {
                    if (cache.TryGetSlot(rowId, out var slot))
                    {
                        slots.Add(slot);
                    }
                }

                if (_graph is { } graph && slots.Count > cache.LiveCount * _options.Hnsw.ExactFilterSelectivity)
                {
                    var allowed = new bool[cache.SlotCount];
                    foreach (var slot in slots)
                    {
                        allowed[slot] = true;
                    }

                    var ef = Math.Max(_options.Hnsw.EfSearch, k) * _options.Hnsw.FilteredOversampling;
                    nearest = graph.Search(prepared, queryAuxiliary, k, ef, slot => slot < allowed.Length && allowed[slot]);
                }
                else
                {
                    nearest = ScanSlots(cache, prepared, queryAuxiliary, k, slots);
                }
            }

            var results = new (long RowId, double Score)[nearest.Length];
            for (var i = 0; i < nearest.Length; i++)
            {
                var slot = (int)nearest[i].Slot;
                results[i] = (cache.RowId(slot), cache.Distance.Score(query, cache.Vector(slot)));
            }

            return results;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private bool WantsGraph(int liveCount)
        => _column.IndexKind == IndexKind.Hnsw || (_column.IndexKind == IndexKind.Dynamic && liveCount >= _options.HnswThreshold);

    private (long Slot, float Rank)[] ScanAll(VectorCache cache, float[] prepared, float queryAuxiliary, int k)
    {
        var slotCount = cache.SlotCount;
        var partitions = (long)slotCount * cache.Dimensions >= (1 << 21) ? Math.Min(_options.MaxScanParallelism, 8) : 1;
        if (partitions == 1)
        {
            var heap = new TopKHeap(k);
            ScanRange(cache, prepared, queryAuxiliary, 0, slotCount, heap);
            return heap.ToSorted();
        }

        var heaps = new TopKHeap[partitions];
        var chunk = (slotCount + partitions - 1) / partitions;
        Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = partitions }, p =>
        {
            var heap = new TopKHeap(k);
            ScanRange(cache, prepared, queryAuxiliary, p * chunk, Math.Min(slotCount, (p + 1) * chunk), heap);
            heaps[p] = heap;
        });

        var merged = new TopKHeap(k);
        foreach (var heap in heaps)
        {
            merged.AddAll(heap);
        }

        return merged.ToSorted();
    }

    private static void ScanRange(VectorCache cache, float[] prepared, float queryAuxiliary, int from, int to, TopKHeap heap)
    {
        var distance = cache.Distance;
        for (var slot = from; slot < to; slot++)
        {
            if (!cache.IsLive(slot))
            {
                continue;
            }

            var rank = distance.Rank(prepared, queryAuxiliary, cache.Vector(slot), cache.Auxiliary(slot));
            if (rank < heap.Bound)
            {
                heap.Add(rank, slot);
            }
        }
    }

    private static (long Slot, float Rank)[] ScanSlots(VectorCache cache, float[] prepared, float queryAuxiliary, int k, List<int> slots)
    {
        var heap = new TopKHeap(k);
        var distance = cache.Distance;
        foreach (var slot in slots)
        {
            var rank = distance.Rank(prepared, queryAuxiliary, cache.Vector(slot), cache.Auxiliary(slot));
            if (rank < heap.Bound)
            {
                heap.Add(rank, slot);
            }
        }

        return heap.ToSorted();
    }
}
