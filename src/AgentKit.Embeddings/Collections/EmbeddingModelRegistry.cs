using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Embeddings.Collections;

/// <summary>
/// Records which embedding model (id and dimensions) wrote each collection AgentKit keeps in a vector store, in the
/// store's own collection <see cref="CollectionName"/>, and refuses to open a collection with another model.
/// </summary>
public static class EmbeddingModelRegistry
{
    /// <summary>The collection holding one entry per embedded collection.</summary>
    public const string CollectionName = "agentkit_embedding_models";

    /// <summary>
    /// The model's id as recorded: <c>{provider}/{model id}</c> from the generator's <see cref="EmbeddingGeneratorMetadata"/>
    /// (<c>onnxruntime/all-MiniLM-L6-v2</c>), its type name when it has none.
    /// </summary>
    /// <param name="generator">The embedding generator.</param>
    /// <returns>The id.</returns>
    public static string ModelId(IEmbeddingGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        return $"{metadata?.ProviderName ?? generator.GetType().Name}/{metadata?.DefaultModelId ?? "default"}";
    }

    /// <summary>
    /// Records <paramref name="generator"/> as the model of <paramref name="collection"/> when the collection has no
    /// model yet, and otherwise checks that it is the recorded one.
    /// </summary>
    /// <param name="store">The vector store holding the collection.</param>
    /// <param name="collection">The collection's name.</param>
    /// <param name="generator">The embedding generator about to read or write it.</param>
    /// <param name="dimensions">The generator's vector length.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="EmbeddingModelMismatchException">The collection was written by another model or with another length.</exception>
    public static async Task EnsureAsync(VectorStore store, string collection, IEmbeddingGenerator generator, int dimensions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        ArgumentNullException.ThrowIfNull(generator);
        var model = ModelId(generator);
        var registry = store.GetCollection<Guid, EmbeddingModelEntry>(CollectionName, EmbeddingModelEntry.Definition);
        await registry.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        var key = KeyOf(collection);
        var entry = await registry.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            await registry.UpsertAsync(
                new EmbeddingModelEntry { Key = key, Collection = collection, Model = model, Dimensions = dimensions, Recorded = DateTimeOffset.UtcNow },
                cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!string.Equals(entry.Model, model, StringComparison.Ordinal) || entry.Dimensions != dimensions)
        {
            throw new EmbeddingModelMismatchException(collection, entry.Model, entry.Dimensions, model, dimensions);
        }
    }

    /// <summary>Forgets the model of a collection, after the collection was deleted, so the next one to open it records its own.</summary>
    /// <param name="store">The vector store.</param>
    /// <param name="collection">The collection's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task ForgetAsync(VectorStore store, string collection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        var registry = store.GetCollection<Guid, EmbeddingModelEntry>(CollectionName, EmbeddingModelEntry.Definition);
        if (await registry.CollectionExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            await registry.DeleteAsync(KeyOf(collection), cancellationToken).ConfigureAwait(false);
        }
    }

    // Stores differ in the key types they take; a GUID derived from the name works in all of them.
    private static Guid KeyOf(string collection) => new(SHA256.HashData(Encoding.UTF8.GetBytes(collection)).AsSpan(0, 16));

    /// <summary>One collection's embedding model.</summary>
    internal sealed class EmbeddingModelEntry
    {
        public static VectorStoreCollectionDefinition Definition { get; } = new()
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Key), typeof(Guid)),
                new VectorStoreDataProperty(nameof(Collection), typeof(string)),
                new VectorStoreDataProperty(nameof(Model), typeof(string)),
                new VectorStoreDataProperty(nameof(Dimensions), typeof(int)),
                new VectorStoreDataProperty(nameof(Recorded), typeof(DateTimeOffset)),

                // Some stores require a vector in every collection; this one is never searched.
                new VectorStoreVectorProperty(nameof(Unused), typeof(ReadOnlyMemory<float>), 1),
            ],
        };

        public Guid Key { get; set; }

        public string Collection { get; set; } = "";

        public string Model { get; set; } = "";

        public int Dimensions { get; set; }

        public DateTimeOffset Recorded { get; set; }

        public ReadOnlyMemory<float> Unused { get; set; } = new float[] { 1f };
    }
}
