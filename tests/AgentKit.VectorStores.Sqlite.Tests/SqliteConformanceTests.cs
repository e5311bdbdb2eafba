using Microsoft.Extensions.AI;
using AgentKit.VectorStores.Conformance;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Sqlite.Tests;

/// <summary>The shared vector store behaviour suite, run against the SQLite store (exact search).</summary>
public sealed class SqliteConformanceTests : VectorStoreConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    protected override IReadOnlyList<string> DistanceFunctions { get; } =
    [
        DistanceFunction.CosineSimilarity, DistanceFunction.CosineDistance, DistanceFunction.DotProductSimilarity,
        DistanceFunction.NegativeDotProductSimilarity, DistanceFunction.EuclideanDistance,
        DistanceFunction.EuclideanSquaredDistance, DistanceFunction.ManhattanDistance,
    ];

    protected override VectorStore CreateStore() => new SqliteVectorStore(_database.Path);

    protected override VectorStore CreateStore(IEmbeddingGenerator embeddingGenerator) => new SqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { EmbeddingGenerator = embeddingGenerator });

    public void Dispose() => _database.Dispose();
}

/// <summary>The shared suite again with the vector cache off, so every search streams vectors from the file.</summary>
public sealed class SqliteStreamingConformanceTests : VectorStoreConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    protected override VectorStore CreateStore() => new SqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { VectorCacheMaxBytes = 0 });

    protected override VectorStore CreateStore(IEmbeddingGenerator embeddingGenerator)
        => new SqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { VectorCacheMaxBytes = 0, EmbeddingGenerator = embeddingGenerator });

    public void Dispose() => _database.Dispose();
}

/// <summary>The shared suite with every vector property searched through HNSW (HnswThreshold 1).</summary>
public sealed class SqliteHnswConformanceTests : VectorStoreConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    protected override VectorStore CreateStore() => new SqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { HnswThreshold = 1 });

    protected override VectorStore CreateStore(IEmbeddingGenerator embeddingGenerator)
        => new SqliteVectorStore(_database.Path, new SqliteVectorStoreOptions { HnswThreshold = 1, EmbeddingGenerator = embeddingGenerator });

    public void Dispose() => _database.Dispose();
}
