using System.Linq.Expressions;
using AgentKit.Rag.Ingestion;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Support;

/// <summary>
/// A test double over a real collection: forwards every call to it but hides the capabilities named (by
/// <c>GetService</c>), like a store without them: without <see cref="IKeywordHybridSearchable{TRecord}"/> to show that
/// the retriever's hybrid ranking does not depend on the store's own, without
/// <see cref="AgentKit.Abstractions.Search.IKeywordSearchable{TRecord}"/> to exercise keyword ranking on stores that
/// have no full-text index.
/// </summary>
internal sealed class CapabilityHidingCollectionDouble(VectorStoreCollection<Guid, RagChunkRecord> inner, params Type[] hidden) : VectorStoreCollection<Guid, RagChunkRecord>
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
        hidden.Contains(serviceType) ? null : inner.GetService(serviceType, serviceKey);
}
