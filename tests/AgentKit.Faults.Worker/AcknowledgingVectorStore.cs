using Microsoft.Extensions.VectorData;

namespace AgentKit.Faults.Worker;

/// <summary>A store whose collections are <see cref="AcknowledgingCollection{TKey, TRecord}"/>s over another store's, so that a knowledge base built from the container acknowledges its writes.</summary>
internal sealed class AcknowledgingVectorStore(VectorStore inner, TimeSpan pause) : VectorStore
{
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        new AcknowledgingCollection<TKey, TRecord>(inner.GetCollection<TKey, TRecord>(name, definition), pause);

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        new AcknowledgingCollection<object, Dictionary<string, object?>>(inner.GetDynamicCollection(name, definition), pause);

    public override IAsyncEnumerable<string> ListCollectionNamesAsync(CancellationToken cancellationToken = default) => inner.ListCollectionNamesAsync(cancellationToken);

    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) => inner.CollectionExistsAsync(name, cancellationToken);

    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default) => inner.EnsureCollectionDeletedAsync(name, cancellationToken);

    public override object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
