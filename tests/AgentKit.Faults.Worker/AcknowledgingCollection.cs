using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Faults.Worker;

/// <summary>
/// A collection that passes everything to another one and, after each upsert has completed, prints
/// <c>UPSERTED n</c> (n records) and pauses: a test that kills the process on that line kills it exactly between two
/// store writes, where a writer that needs two writes for one unit of work would leave it half-done.
/// </summary>
internal sealed class AcknowledgingCollection<TKey, TRecord>(VectorStoreCollection<TKey, TRecord> inner, TimeSpan pause) : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    public override string Name => inner.Name;

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => inner.CollectionExistsAsync(cancellationToken);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => inner.EnsureCollectionExistsAsync(cancellationToken);

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => inner.EnsureCollectionDeletedAsync(cancellationToken);

    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) => inner.GetAsync(key, options, cancellationToken);

    public override IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) => inner.GetAsync(keys, options, cancellationToken);

    public override IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, CancellationToken cancellationToken = default) => inner.GetAsync(filter, top, options, cancellationToken);

    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default) => inner.DeleteAsync(keys, cancellationToken);

    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        var list = records.ToList();
        await inner.UpsertAsync(list, cancellationToken);
        Console.WriteLine($"UPSERTED {list.Count}");
        await Task.Delay(pause, cancellationToken);
    }

    public override IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, CancellationToken cancellationToken = default) =>
        inner.SearchAsync(searchValue, top, options, cancellationToken);

    public override object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);
}
