using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Conformance;

/// <summary>The record the behaviour suite stores: every kind of data property a store must handle, and a 4-dimension vector.</summary>
public sealed class ConformanceRecord
{
    /// <summary>Gets or sets the key.</summary>
    [VectorStoreKey]
    public Guid Id { get; set; }

    /// <summary>Gets or sets an indexed string.</summary>
    [VectorStoreData(IsIndexed = true)]
    public string Category { get; set; } = "";

    /// <summary>Gets or sets an indexed integer.</summary>
    [VectorStoreData(IsIndexed = true)]
    public int Rank { get; set; }

    /// <summary>Gets or sets an indexed boolean.</summary>
    [VectorStoreData(IsIndexed = true)]
    public bool Published { get; set; }

    /// <summary>Gets or sets indexed tags (a collection property).</summary>
    [VectorStoreData(IsIndexed = true)]
    public string[] Tags { get; set; } = [];

    /// <summary>Gets or sets full-text indexed text.</summary>
    [VectorStoreData(IsFullTextIndexed = true)]
    public string Text { get; set; } = "";

    /// <summary>Gets or sets the vector.</summary>
    [VectorStoreVector(4, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float> Embedding { get; set; }
}

/// <summary>A key and a vector, for the distance-function checks (the distance function comes from a definition).</summary>
public sealed class DistanceRecord
{
    /// <summary>Gets or sets the key.</summary>
    public Guid Id { get; set; }

    /// <summary>Gets or sets the vector.</summary>
    public ReadOnlyMemory<float> Embedding { get; set; }
}

/// <summary>A record whose vector property is text, embedded by the configured embedding generator.</summary>
public sealed class TextRecord
{
    /// <summary>Gets or sets the key.</summary>
    [VectorStoreKey]
    public Guid Id { get; set; }

    /// <summary>Gets or sets the text, kept as data to check which record came back.</summary>
    [VectorStoreData]
    public string Text { get; set; } = "";

    /// <summary>Gets or sets the text to embed.</summary>
    [VectorStoreVector(LetterCountEmbeddingGenerator.Dimensions)]
    public string Embedding { get; set; } = "";
}
