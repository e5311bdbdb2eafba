using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Qdrant.Client.Grpc;
using Distance = Qdrant.Client.Grpc.Distance;

namespace AgentKit.VectorStores.Qdrant.Mapping;

/// <summary>
/// How a record model lies in a Qdrant collection: named or unnamed dense vectors, each vector's distance, the
/// sparse (BM25-style) vector kept beside every full-text property for hybrid search, and the payload indexes.
/// </summary>
internal sealed class QdrantCollectionLayout
{
    /// <summary>Suffix of the sparse vector kept for a full-text property: <c>{storage name}_bm25</c>.</summary>
    internal const string SparseSuffix = "_bm25";

    private QdrantCollectionLayout(CollectionModel model, bool named, int? hnswM, int? hnswEfConstruct)
    {
        Model = model;
        HasNamedVectors = named;
        HnswM = hnswM;
        HnswEfConstruct = hnswEfConstruct;
    }

    public CollectionModel Model { get; }

    public bool HasNamedVectors { get; }

    public int? HnswM { get; }

    public int? HnswEfConstruct { get; }

    /// <summary>Builds the model for a record type (or a dynamic definition) and checks it against what Qdrant can store.</summary>
    public static QdrantCollectionLayout Create(
        Type? recordType, Type? keyType, VectorStoreCollectionDefinition? definition, QdrantCollectionOptions? options, QdrantVectorStoreOptions storeOptions)
    {
        var namedSetting = options?.HasNamedVectors ?? storeOptions.HasNamedVectors;
        var builder = new QdrantModelBuilder(supportsMultipleVectors: namedSetting != false);
        var generator = options?.EmbeddingGenerator ?? definition?.EmbeddingGenerator ?? storeOptions.EmbeddingGenerator;
        var model = recordType is null
            ? builder.BuildDynamic(definition ?? throw new ArgumentException("A dynamic collection needs a VectorStoreCollectionDefinition.", nameof(definition)), generator)
            : builder.Build(recordType, keyType!, definition, generator);

        var fullText = model.DataProperties.Where(p => p.IsFullTextIndexed).ToList();
        var named = namedSetting ?? (model.VectorProperties.Count > 1 || fullText.Count > 0);
        var layout = new QdrantCollectionLayout(model, named, options?.HnswM ?? storeOptions.HnswM, options?.HnswEfConstruct ?? storeOptions.HnswEfConstruct);
        layout.Validate(fullText);
        return layout;
    }

    /// <summary>Qdrant's name for a distance function; the abstraction's default is cosine similarity.</summary>
    public static Distance DistanceOf(VectorPropertyModel vector) => vector.DistanceFunction switch
    {
        null or DistanceFunction.CosineSimilarity => Distance.Cosine,
        DistanceFunction.DotProductSimilarity => Distance.Dot,
        DistanceFunction.EuclideanDistance => Distance.Euclid,
        DistanceFunction.ManhattanDistance => Distance.Manhattan,
        var other => throw new NotSupportedException(
            $"Distance function '{other}' on vector property '{vector.ModelName}' is not supported by Qdrant; use CosineSimilarity, DotProductSimilarity, EuclideanDistance or ManhattanDistance."),
    };

    /// <summary>True when the property asks for exact (brute-force) search instead of the HNSW index.</summary>
    public static bool IsExact(VectorPropertyModel vector) => vector.IndexKind switch
    {
        null or IndexKind.Hnsw => false,
        IndexKind.Flat => true,
        var other => throw new NotSupportedException(
            $"Index kind '{other}' on vector property '{vector.ModelName}' is not supported by Qdrant; use Hnsw (default) or Flat (exact search)."),
    };

    /// <summary>The name used in <c>using</c> and in a point's vector map; null for the unnamed vector.</summary>
    public string? VectorName(VectorPropertyModel vector) => HasNamedVectors ? vector.StorageName : null;

    /// <summary>The sparse vector kept for a full-text property, or null when there is none.</summary>
    public string? SparseName(DataPropertyModel property) =>
        HasNamedVectors && property.IsFullTextIndexed ? property.StorageName + SparseSuffix : null;

    /// <summary>The payload indexes to create: field name and schema.</summary>
    public IEnumerable<(string Field, PayloadSchemaType Schema)> PayloadIndexes() =>
        Model.DataProperties
            .Where(p => p.IsIndexed || p.IsFullTextIndexed)
            .Select(p => (p.StorageName, p.IsFullTextIndexed ? PayloadSchemaType.Text : QdrantPayload.IndexSchema(p.Type)));

    private void Validate(List<DataPropertyModel> fullText)
    {
        foreach (var vector in Model.VectorProperties)
        {
            _ = DistanceOf(vector);
            _ = IsExact(vector);
        }

        foreach (var property in fullText)
        {
            var element = QdrantPayload.ElementType(property.Type) ?? property.Type;
            if (element != typeof(string))
            {
                throw new NotSupportedException(
                    $"Data property '{property.ModelName}' is full-text indexed but is {property.Type.Name}; Qdrant text indexes hold strings or lists of strings.");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Model.VectorProperties.Select(VectorName).Concat(fullText.Select(SparseName)).OfType<string>())
        {
            if (!names.Add(name))
            {
                throw new NotSupportedException($"Two vectors of the collection would both be named '{name}' in Qdrant; rename one with StorageName.");
            }
        }
    }
}
