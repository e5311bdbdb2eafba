namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// How <see cref="QdrantVectorStore"/> reaches a Qdrant server (v1.10 or later) over gRPC with Qdrant.Client, how its
/// calls are bounded and retried, and how collections are laid out.
/// </summary>
public sealed class QdrantVectorStoreOptions
{
    /// <summary>The configuration section <c>AddQdrantVectorStore</c> reads: <c>Qdrant</c>.</summary>
    public const string SectionName = "Qdrant";

    /// <summary>
    /// The server's gRPC address, for example <c>http://localhost:6334/</c> (Qdrant's gRPC port; 6333 is its REST
    /// port). Required unless the store is given its own <c>QdrantClient</c>; http (HTTP/2 without TLS) or https.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Sent as the <c>api-key</c> metadata of every call when set. Default: none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The longest one operation may take, retries and their waits included. Default: 30 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a call failing with gRPC <c>Unavailable</c> (server unreachable or shard unavailable) or
    /// <c>ResourceExhausted</c> (rate limited) is tried again (0 to 10). Default: 3.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The first retry's wait when the server sends no <c>retry-after</c> trailer; later waits double, with jitter.
    /// Default: 200 ms.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Points sent per upsert call (1 to 10,000). Default: 256.</summary>
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
