using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>Per-collection settings; anything left null falls back to <see cref="QdrantVectorStoreOptions"/>.</summary>
public sealed class QdrantCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>Creates empty options.</summary>
    public QdrantCollectionOptions()
    {
    }

    /// <summary>Whether the collection stores named vectors; see <see cref="QdrantVectorStoreOptions.HasNamedVectors"/>.</summary>
    public bool? HasNamedVectors { get; set; }

    /// <summary>The HNSW <c>m</c> used when this collection is created.</summary>
    public int? HnswM { get; set; }

    /// <summary>The HNSW <c>ef_construct</c> used when this collection is created.</summary>
    public int? HnswEfConstruct { get; set; }
}
