using System.Numerics.Tensors;
using AgentKit.Cost.Diagnostics;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Cost.Caching;

/// <summary>
/// The semantic layer's nearest-neighbour lookup. Entries are stored in a collection of any <see cref="VectorStore"/>
/// (AgentKit's SQLite store by default), created on first use with the embedding model's dimensions; the search runs
/// on an in-memory copy of their vectors, one <see cref="QuantizedVectors"/> per scope and context, loaded from the
/// store on first use and kept in step with this process's writes, with each entry's entities beside it, so that the
/// entity guard runs in memory too. Only the one entry that answers is read back from the store.
/// </summary>
/// <remarks>
/// The store's own search (an HNSW graph behind a scope and context filter) measured 27 ms at 100k entries under load;
/// the scan reads about 200 bytes per entry at 384 dimensions (4-bit codes first, 8-bit ones only for rows that may
/// qualify) and needs no graph. Entries another process writes to a shared file are found after this process opens
/// the cache again.
/// </remarks>
internal sealed class SemanticCacheIndex(VectorStore store, string collectionName, int maxEntries, Func<CancellationToken, ValueTask<int>> dimensions) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<(string Scope, string Context), QuantizedVectors> _partitions = [];
    private readonly Dictionary<string, (string Scope, string Context)> _partitionOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _entities = new(StringComparer.Ordinal);
    private readonly int _trimEvery = Math.Clamp(maxEntries / 10, 1, 1000);
    private VectorStoreCollection<string, SemanticCacheEntry>? _collection;
    private int _insertsSinceTrim;

    /// <summary>Entries in memory.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _partitionOf.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// The <paramref name="top"/> unexpired entries of the scope and context nearest to <paramref name="embedding"/>
    /// whose cosine is at least <paramref name="minScore"/>, nearest first, with their entities, from memory: the
    /// cosine is the quantised one (within a few thousandths of the exact one).
    /// </summary>
    public async Task<IReadOnlyList<(string Id, string Entities, double Score)>> SearchAsync(
        ReadOnlyMemory<float> embedding, string scope, string context, long now, int top, double minScore, CancellationToken cancellationToken)
    {
        await GetAsync(embedding.Length, cancellationToken).ConfigureAwait(false);
        var best = new TopCandidates(top);
        _lock.EnterReadLock();
        try
        {
            if (!_partitions.TryGetValue((scope, context), out var vectors))
            {
                return [];
            }

            vectors.Search(QuantizedVectors.Prepare(Unit(embedding.Span)), (float)minScore, now, best);
            return [.. best.Items.Select(c => (c.Id, _entities.GetValueOrDefault(c.Id) ?? "", (double)c.Score))];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// The stored entry a search found, read from the store, which is the truth: <see langword="null"/> when it was
    /// removed, replaced by one of another scope or context, or expired since it was loaded.
    /// </summary>
    public async Task<SemanticCacheEntry?> ReadAsync(string id, string scope, string context, long now, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(await dimensions(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var entry = await collection.GetAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entry is not null && entry.Scope == scope && entry.Context == context && entry.Expires > now ? entry : null;
    }

    public async Task UpsertAsync(SemanticCacheEntry entry, long now, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(entry.Embedding.Length, cancellationToken).ConfigureAwait(false);
        await collection.UpsertAsync(entry, cancellationToken).ConfigureAwait(false);
        Remember(entry);
        if (Interlocked.Increment(ref _insertsSinceTrim) >= _trimEvery)
        {
            Interlocked.Exchange(ref _insertsSinceTrim, 0);
            await TrimAsync(collection, now, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(await dimensions(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await collection.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        Forget([id]);
    }

    public async Task DeleteScopeAsync(string scope, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(await dimensions(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var ids = new List<string>();
            await foreach (var entry in collection.GetAsync(e => e.Scope == scope, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                ids.Add(entry.Id);
            }

            if (ids.Count == 0)
            {
                break;
            }

            await collection.DeleteAsync(ids, cancellationToken).ConfigureAwait(false);
            Forget(ids);
        }

        _lock.EnterWriteLock();
        try
        {
            foreach (var key in _partitions.Keys.Where(k => k.Scope == scope).ToList())
            {
                foreach (var id in _partitionOf.Where(p => p.Value == key).Select(p => p.Key).ToList())
                {
                    _partitionOf.Remove(id);
                    _entities.Remove(id);
                }

                _partitions.Remove(key);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var collection = _collection ?? store.GetCollection<string, SemanticCacheEntry>(collectionName, SemanticCacheEntry.CreateDefinition(await dimensions(cancellationToken).ConfigureAwait(false)));
            await collection.EnsureCollectionDeletedAsync(cancellationToken).ConfigureAwait(false);
            _collection = null;
            _lock.EnterWriteLock();
            try
            {
                _partitions.Clear();
                _partitionOf.Clear();
                _entities.Clear();
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _lock.Dispose();
    }

    private async Task TrimAsync(VectorStoreCollection<string, SemanticCacheEntry> collection, long now, CancellationToken cancellationToken)
    {
        var doomed = new List<string>();
        await foreach (var entry in collection.GetAsync(e => e.Expires <= now, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            doomed.Add(entry.Id);
        }

        // Everything past the newest maxEntries.
        var beyond = new FilteredRecordRetrievalOptions<SemanticCacheEntry> { Skip = maxEntries };
        beyond.OrderBy = o => o.Descending(e => e.Created);
        await foreach (var entry in collection.GetAsync(e => e.Created >= 0, 10_000, beyond, cancellationToken).ConfigureAwait(false))
        {
            doomed.Add(entry.Id);
        }

        if (doomed.Count > 0)
        {
            await collection.DeleteAsync(doomed, cancellationToken).ConfigureAwait(false);
            Forget(doomed);
            CostTelemetry.Evictions.Add(doomed.Count, new KeyValuePair<string, object?>(CostTelemetry.LayerTag, "semantic"));
        }
    }

    private void Remember(SemanticCacheEntry entry)
    {
        var key = (entry.Scope, entry.Context);
        var unit = Unit(entry.Embedding.Span);
        _lock.EnterWriteLock();
        try
        {
            if (_partitionOf.TryGetValue(entry.Id, out var old) && old != key)
            {
                RemoveFrom(old, entry.Id);
            }

            if (!_partitions.TryGetValue(key, out var vectors))
            {
                _partitions.Add(key, vectors = new QuantizedVectors(unit.Length));
            }

            if (vectors.Dimensions == unit.Length)
            {
                vectors.Set(entry.Id, unit, entry.Expires);
                _partitionOf[entry.Id] = key;
                _entities[entry.Id] = entry.Entities;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Forget(IEnumerable<string> ids)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var id in ids)
            {
                if (_partitionOf.Remove(id, out var key))
                {
                    RemoveFrom(key, id);
                }

                _entities.Remove(id);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void RemoveFrom((string Scope, string Context) key, string id)
    {
        if (_partitions.TryGetValue(key, out var vectors) && vectors.Remove(id) && vectors.Count == 0)
        {
            _partitions.Remove(key);
        }
    }

    private static float[] Unit(ReadOnlySpan<float> vector)
    {
        var unit = vector.ToArray();
        var norm = TensorPrimitives.Norm(unit);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(unit, norm, unit);
        }
        else
        {
            Array.Clear(unit);
        }

        return unit;
    }

    /// <summary>Opens the collection and, the first time, loads every stored entry's vector into memory.</summary>
    private async ValueTask<VectorStoreCollection<string, SemanticCacheEntry>> GetAsync(int dimensions, CancellationToken cancellationToken)
    {
        if (_collection is { } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_collection is null)
            {
                var collection = store.GetCollection<string, SemanticCacheEntry>(collectionName, SemanticCacheEntry.CreateDefinition(dimensions));
                await collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
                var all = new FilteredRecordRetrievalOptions<SemanticCacheEntry> { IncludeVectors = true };
                await foreach (var entry in collection.GetAsync(e => e.Created >= 0, int.MaxValue, all, cancellationToken).ConfigureAwait(false))
                {
                    Remember(entry);
                }

                _collection = collection;
            }

            return _collection;
        }
        finally
        {
            _gate.Release();
        }
    }
}
