using AgentKit.VectorStores.Sqlite.Filtering;
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

    /// <summary>
    /// The most filter checks (written rows × cached filters) one upsert spends keeping cached filter results valid;
    /// beyond it the least recently used filters are dropped (and run in SQL again on their next use).
    /// </summary>
    internal const int MaxFilterChecksPerWrite = 16_384;
    private const int GraphPartBytes = 16 << 20;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _saveLock = new();
    private readonly VectorColumn _column;
    private readonly SqliteVectorStoreOptions _options;
    private readonly Action<long, IReadOnlyList<byte[]>> _saveGraph;
    private readonly FilterSlotCache _filters = new(MaxCachedFilters);
    private readonly IReadOnlyList<string> _filterColumns;
    private VectorCache? _cache;
    private HnswGraph? _graph;
    private bool _graphUnsaved;
    private int _filterQueries;
    private int _inMemoryFilterEvaluations;
    private long _generation = -1;

    /// <param name="column">The vector property.</param>
    /// <param name="options">The store's options.</param>
    /// <param name="saveGraph">Saves a serialized graph for a generation in the file (a write transaction of its own).</param>
    /// <param name="filterColumns">The indexed scalar columns kept beside the vectors for in-memory filters (<see cref="CollectionSchema.FilterColumns"/>).</param>
    internal VectorIndex(VectorColumn column, SqliteVectorStoreOptions options, Action<long, IReadOnlyList<byte[]>> saveGraph, IReadOnlyList<string> filterColumns)
    {
        _column = column;
        _filterColumns = filterColumns;
        _options = options;
        _saveGraph = saveGraph;
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

    /// <summary>Graphs built from scratch by this index (for tests and figures).</summary>
    internal int GraphBuilds { get; private set; }

    /// <summary>Graphs restored from the file by this index instead of being built.</summary>
    internal int GraphRestores { get; private set; }

    /// <summary>Filters whose matching row ids were read from SQL in full (not served from the filter cache); for tests and figures.</summary>
    internal int FilterQueries => _filterQueries;

    /// <summary>Filters evaluated in memory over the indexed scalar columns, without SQL; for tests and figures.</summary>
    internal int InMemoryFilterEvaluations => _inMemoryFilterEvaluations;

    /// <summary>The indexed scalar columns the cache keeps, each with what it holds (for tests and figures).</summary>
    internal IReadOnlyList<(string Column, ScalarKind Kind)> ScalarColumnKinds
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _cache?.Scalars is { } scalars ? [.. scalars.Columns.Select(c => (c.Name, c.Kind))] : [];
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Filter results currently cached.</summary>
    internal int CachedFilterCount => _filters.Count;

    /// <summary>
    /// The cached filters an upsert of <paramref name="rowCount"/> rows should re-evaluate for its rows, most
    /// recently used first, within <see cref="MaxFilterChecksPerWrite"/>; the others are dropped when the write is
    /// applied.
    /// </summary>
    internal List<(string Key, SqlFilter Filter)> FiltersToReevaluate(int rowCount)
    {
        var filters = _filters.MostRecentFirst();
        var affordable = rowCount == 0 ? filters.Count : MaxFilterChecksPerWrite / rowCount;
        return filters.Count <= affordable ? filters : filters[..affordable];
    }

    /// <summary>
    /// Brings the index to <paramref name="generation"/>: reloads through <paramref name="loader"/> when it mirrors
    /// another generation — restoring the saved graph when one was saved at this generation, else building it —
    /// and links in vectors the graph does not hold yet. A graph built from scratch is saved to the file before
    /// this returns, so that the next process opening the file restores it.
    /// </summary>
    internal State EnsureCurrent(long generation, IVectorLoader loader, out string? loaded, CancellationToken cancellationToken)
    {
        loaded = null;
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

        State state;
        var built = false;
        _lock.EnterWriteLock();
        try
        {
            if (_generation != generation)
            {
                ForgetFilters();
                _cache = null;
                _graph = null;
                var records = loader.Count();
                var wantsGraph = WantsGraph(records);
                if (wantsGraph && TryRestore(loader, generation, records))
                {
                    loaded = "hnsw, restored from the file";
                }
                else if (wantsGraph || VectorCache.EstimateBytes(records, _column.Dimensions, _filterColumns.Count) <= _options.VectorCacheMaxBytes)
                {
                    var cache = new VectorCache(_column.Dimensions, _column.Distance, (int)Math.Min(int.MaxValue, records + 16));
                    loader.Read((rowId, vector) => cache.Append(rowId, vector));
                    _cache = cache;
                    loaded = "cached";
                }
                else
                {
                    loaded = "streamed";
                }

                if (_cache is { } filled)
                {
                    LoadScalars(filled, loader);
                }

                _generation = generation;
            }

            if (_cache is { } cached && WantsGraph(cached.LiveCount))
            {
                if (_graph is null)
                {
                    _graph = new HnswGraph(cached, _options.Hnsw);
                    GraphBuilds++;
                    built = true;
                    loaded = "hnsw, built";
                }

                if (_graph.NodeCount < cached.SlotCount)
                {
                    _graph.AddPending(_options.MaxScanParallelism, cancellationToken);
                    _graphUnsaved = true;
                    loaded ??= "hnsw, linked pending vectors";
                }
            }

            state = _cache is null ? State.Streamed : State.Cached;
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        if (built)
        {
            SaveGraph();
        }

        return state;
    }

    /// <summary>
    /// Saves the graph to the file, tagged with the generation it mirrors, when it changed since it was last saved
    /// or restored. Runs under the read lock: searches go on, writes wait.
    /// </summary>
    internal void SaveGraph()
    {
        lock (_saveLock)
        {
            _lock.EnterReadLock();
            try
            {
                if (_graph is not { } graph || !_graphUnsaved || graph.NodeCount != _cache!.SlotCount)
                {
                    return;
                }

                _saveGraph(_generation, graph.Save(GraphPartBytes));
                _graphUnsaved = false;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Fills the indexed scalar columns of a freshly loaded cache from the same snapshot as its vectors.</summary>
    private void LoadScalars(VectorCache cache, IVectorLoader loader)
    {
        if (_filterColumns.Count == 0)
        {
            return;
        }

        cache.KeepScalars(_filterColumns);
        var scalars = cache.Scalars!;
        loader.ReadScalars(_filterColumns, (rowId, values) =>
        {
            if (cache.TryGetSlot(rowId, out var slot))
            {
                scalars.Set(slot, values);
            }
        });
    }

    /// <summary>
    /// Restores the graph saved at <paramref name="generation"/> and fills its cache from the vector table; false
    /// (nothing changed) when there is none, it was saved with other parameters, or the table's rows do not match
    /// its slots.
    /// </summary>
    private bool TryRestore(IVectorLoader loader, long generation, long records)
    {
        if (loader.ReadGraph(generation) is not { } data
            || HnswGraph.TryRestore(data, _column.Dimensions, _column.Distance, _options.Hnsw, (int)Math.Min(int.MaxValue, records + 16)) is not { } restored)
        {
            return false;
        }

        var (cache, graph) = restored;
        var filled = 0;
        var stray = false;
        loader.Read((rowId, vector) =>
        {
            if (cache.TryGetSlot(rowId, out var slot))
            {
                cache.SetVector(slot, vector);
                filled++;
            }
            else
            {
                stray = true;
            }
        });
        if (stray || filled != cache.LiveCount)
        {
            return false;
        }

        _cache = cache;
        _graph = graph;
        _graphUnsaved = false;
        GraphRestores++;
        return true;
    }

    /// <summary>
    /// Applies a committed write. <paramref name="previousGeneration"/> is the generation the write started from;
    /// when the index mirrors another one it is dropped and reloads on the next search. Cached filter results stay
    /// valid: deleted rows leave them, and each upserted row joins or leaves each filter as
    /// <paramref name="filterMatches"/> says (the written row ids passing each filter, evaluated in the write's
    /// transaction); a filter it does not cover is dropped. The indexed scalar columns of the upserted rows take
    /// the values in <paramref name="scalarValues"/> (read in the write's transaction, by row id, in the order of
    /// the filter columns).
    /// </summary>
    internal void Apply(long previousGeneration, long newGeneration, IReadOnlyList<(long RowId, ReadOnlyMemory<float> Vector)> upserts, IReadOnlyList<long> deletes, IReadOnlyDictionary<string, HashSet<long>>? filterMatches, IReadOnlyDictionary<long, object?[]>? scalarValues)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_generation == newGeneration)
            {
                // A search loaded the index from a snapshot that already holds this write.
                return;
            }

            if (_generation != previousGeneration)
            {
                Invalidate();
                return;
            }

            _generation = newGeneration;
            if (_cache is not { } cache)
            {
                ForgetFilters();
                return;
            }

            cache.Reserve(upserts.Count);
            var vacated = new List<int>();
            var written = new List<(int Slot, long RowId)>(upserts.Count);

            foreach (var rowId in deletes)
            {
                if (cache.TryGetSlot(rowId, out var slot))
                {
                    cache.Remove(rowId);
                    vacated.Add(slot);
                }
            }

            foreach (var (rowId, vector) in upserts)
            {
                if (cache.TryGetSlot(rowId, out var slot))
                {
                    if (_graph is null)
                    {
                        cache.SetVector(slot, vector.Span);
                        written.Add((slot, rowId));
                        continue;
                    }

                    // A moved vector would leave the graph's links pointing at its old neighbourhood: re-insert it.
                    cache.Remove(rowId);
                    vacated.Add(slot);
                }

                written.Add((cache.Append(rowId, vector.Span), rowId));
            }

            if (cache.Scalars is { } scalars)
            {
                foreach (var (slot, rowId) in written)
                {
                    if (scalarValues is not null && scalarValues.TryGetValue(rowId, out var values))
                    {
                        scalars.Set(slot, values);
                    }
                    else
                    {
                        scalars.MakeUnavailable();
                    }
                }
            }

            if (VectorCache.EstimateBytes(cache.LiveCount, cache.Dimensions, _filterColumns.Count) > _options.VectorCacheMaxBytes && !WantsGraph(cache.LiveCount))
            {
                Invalidate();
                return;
            }

            if (cache.DeadCount > 1024 && cache.DeadCount > cache.SlotCount * DeadFractionBeforeCompaction)
            {
                _graph = null;
                ForgetFilters();
                cache.Compact();
            }
            else
            {
                _filters.ApplyWrite(cache.SlotCount, vacated, written, filterMatches);
            }

            if (_graph is not null)
            {
                _graph.AddPending(1, CancellationToken.None);
                _graphUnsaved = true;
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
    /// before (kept up to date by this store's writes), else evaluated in memory over the indexed scalar columns
    /// when its plan reads only available ones, else from SQL (then cached when the search's snapshot is
    /// the cache's generation).
    /// Called under the read lock, so the slots cannot move meanwhile.
    /// </summary>
    private SlotBitmap MatchingSlots(VectorCache cache, RowFilter filter)
    {
        var cacheable = filter.SnapshotGeneration == _generation;
        if (cacheable && _filters.TryGet(filter.Key, out var cached))
        {
            return cached;
        }

        if (_options.InMemoryFilters && filter.Filter.Plan is { } plan && cache.Scalars is { } scalars && plan.Evaluate(scalars, cache.SlotCount) is { } words)
        {
            // Not cached: an in-memory evaluation costs less than keeping its result valid across writes.
            Interlocked.Increment(ref _inMemoryFilterEvaluations);
            var live = cache.Live.Words;
            for (var w = 0; w < words.Length; w++)
            {
                words[w] &= w < live.Length ? live[w] : 0;
            }

            return new SlotBitmap(words);
        }

        Interlocked.Increment(ref _filterQueries);
        var bitmap = filter.ReadRowIds() is { } rowIds ? cache.SlotsOf(rowIds) : new SlotBitmap(cache.SlotCount);

        if (cacheable)
        {
            _filters.Add(filter.Key, filter.Filter, bitmap);
        }

        return bitmap;
    }

    /// <summary>Forgets the cached filter results; called under the write lock when the slots are rebuilt or moved.</summary>
    private void ForgetFilters() => _filters.Clear();

    public void Dispose() => _lock.Dispose();

    private bool WantsGraph(long liveCount)
        => _column.IndexKind == IndexKind.Hnsw || (_column.IndexKind == IndexKind.Dynamic && liveCount >= _options.HnswThreshold);
}
