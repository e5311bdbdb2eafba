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
    private const int MaxCachedFilters = 16;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly VectorColumn _column;
    private readonly SqliteVectorStoreOptions _options;
    private VectorCache? _cache;
    private HnswGraph? _graph;
    private long _generation = -1;
    private readonly Dictionary<string, SlotBitmap> _filterSlots = new(StringComparer.Ordinal);
    private readonly Queue<string> _filterOrder = new();

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
                ForgetFilters();
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
            ForgetFilters();
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

            cache.Reserve(upserts.Count);

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
                        cache.SetVector(slot, vector.Span);
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
        ForgetFilters();
        _cache = null;
        _graph = null;
        _generation = -1;
    }

    /// <summary>
    /// Searches the cached vectors: the <paramref name="k"/> nearest row ids with their reported scores, nearest
    /// first. <paramref name="filter"/> restricts the candidates (null: all). Returns null when the index is not
    /// cached any more (a concurrent invalidation); the caller then streams.
    /// </summary>
    internal (long RowId, double Score)[]? Search(ReadOnlySpan<float> query, int k, RowFilter? filter)
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
            var candidates = filter is null ? cache.Live : MatchingSlots(cache, filter);
            (long Slot, float Rank)[] nearest;
            if (_graph is { } graph && (filter is null || candidates.Count > cache.LiveCount * _options.Hnsw.ExactFilterSelectivity))
            {
                var ef = Math.Max(_options.Hnsw.EfSearch, k) * (filter is null ? 1 : _options.Hnsw.FilteredOversampling);
                nearest = graph.Search(prepared, queryAuxiliary, k, ef, candidates.Contains);
            }
            else
            {
                nearest = ExactScan.Run(cache, prepared, queryAuxiliary, k, candidates, _options.MaxScanParallelism);
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

    /// <summary>
    /// The slots of the records passing <paramref name="filter"/>, from the filter cache when the same filter ran
    /// since the last write, else from SQL (then cached when the search's snapshot is the cache's generation).
    /// Called under the read lock, so the slots cannot move meanwhile.
    /// </summary>
    private SlotBitmap MatchingSlots(VectorCache cache, RowFilter filter)
    {
        var cacheable = filter.SnapshotGeneration == _generation;
        lock (_filterSlots)
        {
            if (cacheable && _filterSlots.TryGetValue(filter.Key, out var cached))
            {
                return cached;
            }
        }

        var bitmap = new SlotBitmap(cache.SlotCount);
        foreach (var rowId in filter.ReadRowIds())
        {
            if (cache.TryGetSlot(rowId, out var slot))
            {
                bitmap.Set(slot);
            }
        }

        if (cacheable)
        {
            lock (_filterSlots)
            {
                if (_filterSlots.TryAdd(filter.Key, bitmap))
                {
                    _filterOrder.Enqueue(filter.Key);
                    if (_filterOrder.Count > MaxCachedFilters)
                    {
                        _filterSlots.Remove(_filterOrder.Dequeue());
                    }
                }
            }
        }

        return bitmap;
    }

    /// <summary>Forgets the cached filter results; called under the write lock whenever the records or the slots change.</summary>
    private void ForgetFilters()
    {
        lock (_filterSlots)
        {
            _filterSlots.Clear();
            _filterOrder.Clear();
        }
    }

    public void Dispose() => _lock.Dispose();

    private bool WantsGraph(int liveCount)
        => _column.IndexKind == IndexKind.Hnsw || (_column.IndexKind == IndexKind.Dynamic && liveCount >= _options.HnswThreshold);
}
