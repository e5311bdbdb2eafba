using Grpc.Core;
using Qdrant.Client;

namespace AgentKit.VectorStores.Qdrant.Grpc;

/// <summary>The collection-level calls both the store and a collection make.</summary>
internal static class QdrantCollectionCalls
{
    public static Task<bool> ExistsAsync(QdrantClient client, QdrantCalls calls, string name, CancellationToken cancellationToken) =>
        calls.RunAsync(ct => client.CollectionExistsAsync(name, ct), "CollectionExists", name, cancellationToken);

    /// <summary>Deletes the collection; one that is not there is not an error.</summary>
    public static async Task DeleteAsync(QdrantClient client, QdrantCalls calls, string name, CancellationToken cancellationToken)
    {
        try
        {
            await calls.RunAsync(ct => client.DeleteCollectionAsync(name, null, ct), "DeleteCollection", name, cancellationToken).ConfigureAwait(false);
        }
        catch (QdrantVectorStoreException e) when (e.StatusCode == StatusCode.NotFound || e.InnerException is QdrantException)
        {
            // Qdrant answers the deletion of a missing collection with result: false, which Qdrant.Client raises as
            // a QdrantException; older servers answered NotFound.
        }
    }
}
