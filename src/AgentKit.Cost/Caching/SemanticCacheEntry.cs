using Microsoft.Extensions.VectorData;

namespace AgentKit.Cost.Caching;

/// <summary>One answer of the semantic layer, as the vector store keeps it (only types every VectorData store maps).</summary>
internal sealed class SemanticCacheEntry
{
    /// <summary>The exact key of the request it answered.</summary>
    public string Id { get; set; } = "";

    /// <summary>The scope value (<c>global</c>, <c>agent:…</c>, <c>session:…</c>).</summary>
    public string Scope { get; set; } = "";

    /// <summary>The context key: everything but the last user message.</summary>
    public string Context { get; set; } = "";

    /// <summary>The normalised last user message.</summary>
    public string Text { get; set; } = "";

    /// <summary>Its entities, joined.</summary>
    public string Entities { get; set; } = "";

    /// <summary>The cached response, serialised.</summary>
    public string Response { get; set; } = "";

    /// <summary>Unix milliseconds after which it no longer answers.</summary>
    public long Expires { get; set; }

    /// <summary>Unix milliseconds when it was written, for eviction.</summary>
    public long Created { get; set; }

    public ReadOnlyMemory<float> Embedding { get; set; }

    public static VectorStoreCollectionDefinition CreateDefinition(int dimensions) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Id), typeof(string)),
            new VectorStoreDataProperty(nameof(Scope), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Context), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Text), typeof(string)),
            new VectorStoreDataProperty(nameof(Entities), typeof(string)),
            new VectorStoreDataProperty(nameof(Response), typeof(string)),
            new VectorStoreDataProperty(nameof(Expires), typeof(long)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(Created), typeof(long)) { IsIndexed = true },
            new VectorStoreVectorProperty(nameof(Embedding), typeof(ReadOnlyMemory<float>), dimensions)
            {
                DistanceFunction = DistanceFunction.CosineSimilarity,
                IndexKind = IndexKind.Hnsw,
            },
        ],
    };
}
