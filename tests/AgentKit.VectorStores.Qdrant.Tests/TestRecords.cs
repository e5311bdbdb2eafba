using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant.Tests;

/// <summary>A record with every payload type, a full-text property (so named vectors and a sparse vector) and one dense vector.</summary>
public sealed class Hotel
{
    [VectorStoreKey]
    public ulong Id { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public string Name { get; set; } = string.Empty;

    [VectorStoreData(IsIndexed = true)]
    public int Rating { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public double Price { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public bool Open { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public DateTimeOffset Opened { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public List<string> Tags { get; set; } = [];

    [VectorStoreData(IsFullTextIndexed = true)]
    public string Description { get; set; } = string.Empty;

    [VectorStoreData(StorageName = "city_code")]
    public string? City { get; set; }

    [VectorStoreVector(4, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float> Embedding { get; set; }
}

/// <summary>A record with a Guid key, one unnamed Euclidean vector and no indexes.</summary>
public sealed class Note
{
    [VectorStoreKey]
    public Guid Id { get; set; }

    [VectorStoreData]
    public string Text { get; set; } = string.Empty;

    [VectorStoreData]
    public long Count { get; set; }

    [VectorStoreVector(3, DistanceFunction = DistanceFunction.EuclideanDistance, IndexKind = IndexKind.Flat)]
    public float[] Vector { get; set; } = [];
}

public sealed class StringKeyed
{
    [VectorStoreKey]
    public string Id { get; set; } = string.Empty;

    [VectorStoreVector(2)]
    public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class Hamming
{
    [VectorStoreKey]
    public ulong Id { get; set; }

    [VectorStoreVector(2, DistanceFunction = DistanceFunction.HammingDistance)]
    public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class CosineDistanceRecord
{
    [VectorStoreKey]
    public ulong Id { get; set; }

    [VectorStoreVector(2, DistanceFunction = DistanceFunction.CosineDistance)]
    public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class FullTextInt
{
    [VectorStoreKey]
    public ulong Id { get; set; }

    [VectorStoreData(IsFullTextIndexed = true)]
    public int Number { get; set; }

    [VectorStoreVector(2)]
    public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class TwoVectors
{
    [VectorStoreKey]
    public ulong Id { get; set; }

    [VectorStoreVector(2, DistanceFunction = DistanceFunction.DotProductSimilarity)]
    public ReadOnlyMemory<float> Title { get; set; }

    [VectorStoreVector(3, DistanceFunction = DistanceFunction.ManhattanDistance, StorageName = "body")]
    public ReadOnlyMemory<float> Body { get; set; }
}
