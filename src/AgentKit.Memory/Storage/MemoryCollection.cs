using System.Linq.Expressions;
using AgentKit.Abstractions.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Memory.Storage;

/// <summary>The memories' collection in a vector store, created on first use with the embedding generator's length.</summary>
internal sealed class MemoryCollection(VectorStore store, string name, IEmbeddingGenerator<string, Embedding<float>> embedder) : IDisposable
{
    // Large enough for "every memory of an agent" in one GetAsync; the stores page internally.
    private const int All = int.MaxValue;

    private readonly SemaphoreSlim _openLock = new(1, 1);
    private VectorStoreCollection<Guid, MemoryEntity>? _collection;

    public async ValueTask<VectorStoreCollection<Guid, MemoryEntity>> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _collection) is { } open)
        {
            return open;
        }

        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_collection is null)
            {
                var dimensions = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
                    ?? (await embedder.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Length;
                // Memories embedded by another model cannot be compared with this one's queries: refuse, naming both.
                await EmbeddingModelRegistry.EnsureAsync(store, name, embedder, dimensions, cancellationToken).ConfigureAwait(false);
                var collection = store.GetCollection<Guid, MemoryEntity>(name, MemoryEntity.CreateDefinition(dimensions));
                await collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _collection, collection);
            }

            return _collection;
        }
        finally
        {
            _openLock.Release();
        }
    }

    public async Task<List<VectorSearchResult<MemoryEntity>>> SearchAsync(ReadOnlyMemory<float> vector, int top, Expression<Func<MemoryEntity, bool>> filter, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(cancellationToken).ConfigureAwait(false);
        var options = new VectorSearchOptions<MemoryEntity> { Filter = filter, IncludeVectors = true };
        return await collection.SearchAsync(vector, top, options, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<List<MemoryEntity>> FindAsync(Expression<Func<MemoryEntity, bool>> filter, int top, bool newestFirst, bool includeVectors, CancellationToken cancellationToken)
    {
        var collection = await GetAsync(cancellationToken).ConfigureAwait(false);
        var options = new FilteredRecordRetrievalOptions<MemoryEntity> { IncludeVectors = includeVectors };
        if (newestFirst)
        {
            options.OrderBy = order => order.Descending(e => e.Created);
        }

        return await collection.GetAsync(filter, top, options, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<List<MemoryEntity>> FindAllAsync(Expression<Func<MemoryEntity, bool>> filter, CancellationToken cancellationToken) =>
        FindAsync(filter, All, newestFirst: false, includeVectors: false, cancellationToken);

    public async Task<List<MemoryEntity>> GetByIdsAsync(IReadOnlyCollection<Guid> ids, bool includeVectors, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var collection = await GetAsync(cancellationToken).ConfigureAwait(false);
        return await collection.GetAsync(ids, new RecordRetrievalOptions { IncludeVectors = includeVectors }, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpsertAsync(IReadOnlyCollection<MemoryEntity> entities, CancellationToken cancellationToken)
    {
        if (entities.Count == 0)
        {
            return;
        }

        var collection = await GetAsync(cancellationToken).ConfigureAwait(false);
        await collection.UpsertAsync(entities, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var collection = await GetAsync(cancellationToken).ConfigureAwait(false);
        await collection.DeleteAsync(ids, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _openLock.Dispose();
}
