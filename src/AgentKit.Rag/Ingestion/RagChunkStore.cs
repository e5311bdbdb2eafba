using AgentKit.Abstractions.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Ingestion;

/// <summary>Opens the collection of <see cref="RagChunkRecord"/> that an embedding generator's vectors fit.</summary>
public static class RagChunkStore
{
    /// <summary>The collection name used when none is given.</summary>
    public const string DefaultName = "knowledge";

    /// <summary>
    /// Gets (and creates when missing) a chunk collection sized for <paramref name="generator"/>: its length comes
    /// from the generator's <see cref="EmbeddingGeneratorMetadata.DefaultModelDimensions"/>, or from embedding a
    /// probe text when the generator does not say. The model's id and length are recorded for the collection
    /// (<see cref="EmbeddingModelRegistry"/>) and checked on every later open.
    /// </summary>
    /// <param name="store">The vector store.</param>
    /// <param name="name">The collection name.</param>
    /// <param name="generator">The embedding generator ingestion and retrieval will use.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The collection, existing.</returns>
    /// <exception cref="EmbeddingModelMismatchException">The collection was written with another embedding model; re-ingest it.</exception>
    public static async Task<VectorStoreCollection<Guid, RagChunkRecord>> OpenAsync(
        VectorStore store, string name, IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(generator);
        var dimensions = await DimensionsAsync(generator, cancellationToken).ConfigureAwait(false);
        await EmbeddingModelRegistry.EnsureAsync(store, name, generator, dimensions, cancellationToken).ConfigureAwait(false);
        var collection = store.GetCollection<Guid, RagChunkRecord>(name, RagChunkRecord.CreateDefinition(dimensions));
        await collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        return collection;
    }

    /// <summary>
    /// Gets (and creates when missing) the passage collection that goes with the chunk collection
    /// <paramref name="name"/>: <c>NAME_passages</c> (<see cref="PassagesName"/>), sized and checked like
    /// <see cref="OpenAsync"/>. Give it to both <see cref="RagIngestor"/> and <see cref="Retrieval.RagRetriever"/>.
    /// </summary>
    /// <param name="store">The vector store.</param>
    /// <param name="name">The chunk collection's name.</param>
    /// <param name="generator">The embedding generator ingestion and retrieval will use.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The passage collection, existing.</returns>
    /// <exception cref="EmbeddingModelMismatchException">The collection was written with another embedding model; re-ingest it.</exception>
    public static async Task<VectorStoreCollection<Guid, RagPassageRecord>> OpenPassagesAsync(
        VectorStore store, string name, IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(generator);
        var dimensions = await DimensionsAsync(generator, cancellationToken).ConfigureAwait(false);
        var passages = PassagesName(name);
        await EmbeddingModelRegistry.EnsureAsync(store, passages, generator, dimensions, cancellationToken).ConfigureAwait(false);
        var collection = store.GetCollection<Guid, RagPassageRecord>(passages, RagPassageRecord.CreateDefinition(dimensions));
        await collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        return collection;
    }

    /// <summary>
    /// Gets (and creates when missing) the code collection that goes with the chunk collection <paramref name="name"/>:
    /// <c>NAME_codes</c> (<see cref="CodesName"/>). Give it to both <see cref="RagIngestor"/> and
    /// <see cref="Retrieval.RagRetriever"/>.
    /// </summary>
    /// <param name="store">The vector store; it must keep collections without vectors.</param>
    /// <param name="name">The chunk collection's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The code collection, existing.</returns>
    /// <exception cref="NotSupportedException">The store keeps no collections without vectors (Qdrant).</exception>
    public static async Task<VectorStoreCollection<Guid, RagChunkCodeRecord>> OpenCodesAsync(VectorStore store, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        VectorStoreCollection<Guid, RagChunkCodeRecord> collection;
        try
        {
            collection = store.GetCollection<Guid, RagChunkCodeRecord>(CodesName(name), RagChunkCodeRecord.CreateDefinition());
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // The store's model builder refuses a record type without a vector (Qdrant's, like Microsoft's connector).
            throw new NotSupportedException($"The vector store {store.GetType().Name} cannot keep a collection without vectors, so chunk codes cannot be stored in it: {e.Message}", e);
        }

        await collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        return collection;
    }

    /// <summary>The name of the code collection of the chunk collection <paramref name="name"/>.</summary>
    /// <param name="name">The chunk collection's name.</param>
    /// <returns><c>NAME_codes</c>.</returns>
    public static string CodesName(string name) => name + "_codes";

    /// <summary>The name of the passage collection of the chunk collection <paramref name="name"/>.</summary>
    /// <param name="name">The chunk collection's name.</param>
    /// <returns><c>NAME_passages</c>.</returns>
    public static string PassagesName(string name) => name + "_passages";

    private static async Task<int> DimensionsAsync(IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken) =>
        generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
            ?? (await generator.GenerateAsync(["dimensions probe"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Length;

    /// <summary>The name of the model behind a generator, as chunk records store it.</summary>
    internal static string ModelName(IEmbeddingGenerator<string, Embedding<float>> generator) => EmbeddingModelRegistry.ModelId(generator);
}
