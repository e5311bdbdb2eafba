namespace AgentKit.Abstractions.Embeddings;

/// <summary>
/// A vector store collection holds embeddings of another model (or length) than the one configured: searching or
/// writing it would mix vectors that cannot be compared.
/// </summary>
public sealed class EmbeddingModelMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="storedModel">The model the collection was written with.</param>
    /// <param name="storedDimensions">Its vector length.</param>
    /// <param name="configuredModel">The model configured now.</param>
    /// <param name="configuredDimensions">Its vector length.</param>
    public EmbeddingModelMismatchException(string collection, string storedModel, int storedDimensions, string configuredModel, int configuredDimensions)
        : base($"The collection '{collection}' holds embeddings of '{storedModel}' ({storedDimensions} dimensions), but the configured embedding model is '{configuredModel}' ({configuredDimensions} dimensions); their vectors cannot be compared. Configure '{storedModel}' again, or re-embed: delete the collection '{collection}' (or use a new collection name) and ingest the content again.")
    {
        Collection = collection;
        StoredModel = storedModel;
        StoredDimensions = storedDimensions;
        ConfiguredModel = configuredModel;
        ConfiguredDimensions = configuredDimensions;
    }

    /// <summary>The collection.</summary>
    public string Collection { get; }

    /// <summary>The model the collection was written with.</summary>
    public string StoredModel { get; }

    /// <summary>Its vector length.</summary>
    public int StoredDimensions { get; }

    /// <summary>The model configured now.</summary>
    public string ConfiguredModel { get; }

    /// <summary>Its vector length.</summary>
    public int ConfiguredDimensions { get; }
}
