namespace AgentKit.VectorStores.Qdrant;

/// <summary>How <see cref="QdrantVectorStore"/> reaches a Qdrant server (v1.10 or later) and how collections are laid out.</summary>
public sealed class QdrantVectorStoreOptions
{
    /// <summary>The configuration section <c>AddQdrantVectorStore</c> reads: <c>Qdrant</c>.</summary>
    public const string SectionName = "Qdrant";

    /// <summary>The server's REST address, for example <c>http://localhost:6333/</c>. Required; http or https.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Sent as the <c>api-key</c> header when set. Default: none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The longest one operation may take, retries and their waits included. Default: 30 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a request answered 429 or 503 is tried again (0 to 10). Default: 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The first retry's wait when the server sends no <c>Retry-After</c>; later waits double, with jitter.
    /// Default: 200 ms.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Points sent per upsert request (1 to 10,000). Default: 256.</summary>
    public int UpsertBatchSize { get; set; } = 256;

    /// <summary>
    /// Whether collections store named vectors (one per vector property, named by its storage name). Null (the
    /// default) names them when a record has more than one vector property or a full-text property (hybrid search
    /// needs named vectors); false keeps one unnamed vector. A collection's own options win.
    /// </summary>
    public bool? HasNamedVectors { get; set; }

    /// <summary>The HNSW graph degree <c>m</c> for new collections; null leaves the server's default (16).</summary>
    public int? HnswM { get; set; }

    /// <summary>The HNSW build beam <c>ef_construct</c> (4 or more) for new collections; null leaves the server's default (100).</summary>
    public int? HnswEfConstruct { get; set; }

    /// <summary>
    /// The embedding generator of every collection whose vector properties are not float vectors (for example
    /// <see cref="string"/>): records are embedded on upsert and <c>SearchAsync</c> embeds its input. A collection's
    /// generator (<see cref="QdrantCollectionOptions"/> or its definition) and a property's own take precedence.
    /// Default: none.
    /// </summary>
    public Microsoft.Extensions.AI.IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>
    /// Checks every setting and throws an <see cref="ArgumentException"/> naming the first bad key
    /// (<c>Qdrant:Endpoint</c>, <c>Qdrant:MaxRetries</c>, …).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (QdrantVectorStoreOptionsValidator.FirstFailure(this) is { } failure)
        {
            throw new ArgumentException(failure);
        }
    }
}
