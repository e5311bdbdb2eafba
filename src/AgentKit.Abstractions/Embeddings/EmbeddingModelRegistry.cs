using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Abstractions.Embeddings;

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
        var registry = Open(store);
        await registry.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        var key = KeyOf(collection);
        var entry = await registry.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            await registry.UpsertAsync(
                new Dictionary<string, object?>
                {
                    [KeyProperty] = key,
                    [CollectionProperty] = collection,
                    [ModelProperty] = model,
                    [DimensionsProperty] = dimensions,
                    [RecordedProperty] = DateTimeOffset.UtcNow,
                    [UnusedProperty] = new ReadOnlyMemory<float>([1f]),
                },
                cancellationToken).ConfigureAwait(false);
            return;
        }

        var storedModel = entry.GetValueOrDefault(ModelProperty) as string ?? "";
        var storedDimensions = Convert.ToInt32(entry.GetValueOrDefault(DimensionsProperty), CultureInfo.InvariantCulture);
        if (!string.Equals(storedModel, model, StringComparison.Ordinal) || storedDimensions != dimensions)
        {
            throw new EmbeddingModelMismatchException(collection, storedModel, storedDimensions, model, dimensions);
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
        var registry = Open(store);
        if (await registry.CollectionExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            await registry.DeleteAsync(KeyOf(collection), cancellationToken).ConfigureAwait(false);
        }
    }

    // Stores differ in the key types they take; a GUID derived from the name works in all of them.
    private static Guid KeyOf(string collection) => new(SHA256.HashData(Encoding.UTF8.GetBytes(collection)).AsSpan(0, 16));

    // One entry per collection, mapped as a dynamic record: typed records need reflection over the record type, which
    // this trimming- and NativeAOT-safe library avoids.
    private const string KeyProperty = "Key";
    private const string CollectionProperty = "Collection";
    private const string ModelProperty = "Model";
    private const string DimensionsProperty = "Dimensions";
    private const string RecordedProperty = "Recorded";

    // Some stores require a vector in every collection; this one is never searched.
    private const string UnusedProperty = "Unused";

    private static readonly VectorStoreCollectionDefinition Definition = new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(KeyProperty, typeof(Guid)),
            new VectorStoreDataProperty(CollectionProperty, typeof(string)),
            new VectorStoreDataProperty(ModelProperty, typeof(string)),
            new VectorStoreDataProperty(DimensionsProperty, typeof(int)),
            new VectorStoreDataProperty(RecordedProperty, typeof(DateTimeOffset)),
            new VectorStoreVectorProperty(UnusedProperty, typeof(ReadOnlyMemory<float>), 1),
        ],
    };

    private static VectorStoreCollection<object, Dictionary<string, object?>> Open(VectorStore store) => store.GetDynamicCollection(CollectionName, Definition);
}
