using System.Linq.Expressions;
using AgentKit.Rag.Ingestion;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Support;

/// <summary>
/// A test double over a real collection: forwards every call to it but hides its
/// <see cref="IKeywordHybridSearchable{TRecord}"/>, like a store without hybrid search, to show that the retriever's
/// hybrid ranking does not depend on the store offering one.
/// </summary>
internal sealed class HybridHidingCollectionDouble(VectorStoreCollection<Guid, RagChunkRecord> inner) : VectorStoreCollection<Guid, RagChunkRecord>
{
    public override string Name => inner.Name;

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => inner.CollectionExistsAsync(cancellationToken);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => inner.EnsureCollectionExistsAsync(cancellationToken);

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => inner.EnsureCollectionDeletedAsync(cancellationToken);

    public override Task<RagChunkRecord?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(key, options, cancellationToken);

    public override IAsyncEnumerable<RagChunkRecord> GetAsync(IEnumerable<Guid> keys, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(keys, options, cancellationToken);

    public override IAsyncEnumerable<RagChunkRecord> GetAsync(Expression<Func<RagChunkRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<RagChunkRecord>? options = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(filter, top, options, cancellationToken);

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public override Task DeleteAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken = default) => inner.DeleteAsync(keys, cancellationToken);

    public override Task UpsertAsync(RagChunkRecord record, CancellationToken cancellationToken = default) => inner.UpsertAsync(record, cancellationToken);

    public override Task UpsertAsync(IEnumerable<RagChunkRecord> records, CancellationToken cancellationToken = default) => inner.UpsertAsync(records, cancellationToken);

    public override IAsyncEnumerable<VectorSearchResult<RagChunkRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<RagChunkRecord>? options = null, CancellationToken cancellationToken = default) =>
        inner.SearchAsync(searchValue, top, options, cancellationToken);

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(IKeywordHybridSearchable<RagChunkRecord>) ? null : inner.GetService(serviceType, serviceKey);
}
