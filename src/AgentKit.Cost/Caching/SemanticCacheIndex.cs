using AgentKit.Cost.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Cost.Caching;

/// <summary>
/// The semantic layer's nearest-neighbour lookup: a collection of any <see cref="VectorStore"/> (AgentKit's SQLite
/// store by default, with its HNSW index), created on first use with the embedding model's dimensions.
/// </summary>
internal sealed class SemanticCacheIndex(VectorStore store, string collectionName, int maxEntries, Func<CancellationToken, ValueTask<int>> dimensions) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly int _trimEvery = Math.Clamp(maxEntries / 10, 1, 1000);
    private VectorStoreCollection<string, SemanticCacheEntry>? _collection;
    private int _insertsSinceTrim;

    public async Task<IReadOnlyList<(SemanticCacheEntry Entry, double Score)>> SearchAsync(
        ReadOnlyMemory<float> embedding, string scope, string context, long now, int top, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(embedding.Length, cancellationToken).ConfigureAwait(false);
        var results = new List<(SemanticCacheEntry, double)>(top);
        // Expiry is checked here, not in the filter: a filter with the current time in it differs on every lookup, so a
        // store could not keep the filter's matching records between lookups (the SQLite store's HNSW search does).
        var options = new VectorSearchOptions<SemanticCacheEntry> { Filter = e => e.Scope == scope && e.Context == context };
        await foreach (var result in collection.SearchAsync(embedding, top, options, cancellationToken).ConfigureAwait(false))
        {
            if (result.Record.Expires > now)
            {
                results.Add((result.Record, result.Score ?? 0));
            }
        }

        return results;
    }

    public async Task UpsertAsync(SemanticCacheEntry entry, long now, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(entry.Embedding.Length, cancellationToken).ConfigureAwait(false);
        await collection.UpsertAsync(entry, cancellationToken).ConfigureAwait(false);
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
                return;
            }

            await collection.DeleteAsync(ids, cancellationToken).ConfigureAwait(false);
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
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

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
            CostTelemetry.Evictions.Add(doomed.Count, new KeyValuePair<string, object?>(CostTelemetry.LayerTag, "semantic"));
        }
    }

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
