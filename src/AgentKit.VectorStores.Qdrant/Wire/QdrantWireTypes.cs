using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentKit.VectorStores.Qdrant.Wire;

// Request and response bodies of Qdrant's REST API (openapi v1.10 to v1.19), only the fields this connector uses.
// Property names follow the schema exactly; the contract tests reject anything the schema does not define.

/// <summary>Qdrant's success envelope <c>{"result": …, "status": "ok", "time": …}</c>.</summary>
internal sealed class QdrantResponse<T>
{
    [JsonPropertyName("result")]
    public T? Result { get; init; }
}

internal sealed class CollectionsResult
{
    [JsonPropertyName("collections")]
    public List<CollectionDescription> Collections { get; init; } = [];
}

internal sealed class CollectionDescription
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }
}

internal sealed class CollectionExistence
{
    [JsonPropertyName("exists")]
    public bool Exists { get; init; }
}

internal sealed class UpdateResult
{
    [JsonPropertyName("status")]
    public string? Status { get; init; }
}

internal sealed class CreateCollectionRequest
{
    /// <summary>One <see cref="VectorParams"/> (unnamed) or a map name → params; exactly one of these is set.</summary>
    [JsonPropertyName("vectors")]
    public VectorsConfig? Vectors { get; init; }

    [JsonPropertyName("sparse_vectors")]
    public Dictionary<string, SparseVectorParams>? SparseVectors { get; init; }

    [JsonPropertyName("hnsw_config")]
    public HnswConfig? HnswConfig { get; init; }
}

/// <summary>Either <see cref="Single"/> or <see cref="Named"/>; serialized as the one that is set.</summary>
[JsonConverter(typeof(VectorsConfigConverter))]
internal sealed class VectorsConfig
{
    public VectorParams? Single { get; init; }

    public Dictionary<string, VectorParams>? Named { get; init; }
}

internal sealed class VectorParams
{
    [JsonPropertyName("size")]
    public required ulong Size { get; init; }

    [JsonPropertyName("distance")]
    public required string Distance { get; init; }
}

internal sealed class SparseVectorParams
{
    [JsonPropertyName("modifier")]
    public string? Modifier { get; init; }
}

internal sealed class HnswConfig
{
    [JsonPropertyName("m")]
    public int? M { get; init; }

    [JsonPropertyName("ef_construct")]
    public int? EfConstruct { get; init; }
}

internal sealed class CreateFieldIndexRequest
{
    [JsonPropertyName("field_name")]
    public required string FieldName { get; init; }

    [JsonPropertyName("field_schema")]
    public required string FieldSchema { get; init; }
}

internal sealed class PointStruct
{
    [JsonPropertyName("id")]
    public required QdrantPointId Id { get; init; }

    [JsonPropertyName("vector")]
    public required QdrantVectors Vector { get; init; }

    [JsonPropertyName("payload")]
    public JsonObject? Payload { get; init; }
}

internal sealed class PointsList
{
    [JsonPropertyName("points")]
    public required List<PointStruct> Points { get; init; }
}

internal sealed class PointIdsList
{
    [JsonPropertyName("points")]
    public required List<QdrantPointId> Points { get; init; }
}

internal sealed class FilterSelector
{
    [JsonPropertyName("filter")]
    public required QdrantFilter Filter { get; init; }
}

internal sealed class PointRequest
{
    [JsonPropertyName("ids")]
    public required List<QdrantPointId> Ids { get; init; }

    [JsonPropertyName("with_payload")]
    public bool WithPayload { get; init; } = true;

    [JsonPropertyName("with_vector")]
    public bool WithVector { get; init; }
}

internal sealed class ScrollRequest
{
    [JsonPropertyName("offset")]
    public QdrantPointId? Offset { get; init; }

    [JsonPropertyName("limit")]
    public int? Limit { get; init; }

    [JsonPropertyName("filter")]
    public QdrantFilter? Filter { get; init; }

    [JsonPropertyName("with_payload")]
    public bool WithPayload { get; init; } = true;

    [JsonPropertyName("with_vector")]
    public bool WithVector { get; init; }

    [JsonPropertyName("order_by")]
    public OrderBy? OrderBy { get; init; }
}

internal sealed class OrderBy
{
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("direction")]
    public string? Direction { get; init; }
}

internal sealed class ScrollResult
{
    [JsonPropertyName("points")]
    public List<RecordResult> Points { get; init; } = [];

    [JsonPropertyName("next_page_offset")]
    public QdrantPointId? NextPageOffset { get; init; }
}

/// <summary>A stored point as <c>POST /points</c> and scroll return it.</summary>
internal class RecordResult
{
    [JsonPropertyName("id")]
    public QdrantPointId Id { get; init; }

    [JsonPropertyName("payload")]
    public JsonObject? Payload { get; init; }

    [JsonPropertyName("vector")]
    public QdrantVectors? Vector { get; init; }
}

/// <summary>A point found by a query, with its score.</summary>
internal sealed class ScoredPoint : RecordResult
{
    [JsonPropertyName("score")]
    public double Score { get; init; }
}

internal sealed class QueryRequest
{
    [JsonPropertyName("prefetch")]
    public List<Prefetch>? Prefetch { get; init; }

    [JsonPropertyName("query")]
    public QdrantQuery? Query { get; init; }

    [JsonPropertyName("using")]
    public string? Using { get; init; }

    [JsonPropertyName("filter")]
    public QdrantFilter? Filter { get; init; }

    [JsonPropertyName("params")]
    public SearchParams? Params { get; init; }

    [JsonPropertyName("score_threshold")]
    public float? ScoreThreshold { get; init; }

    [JsonPropertyName("limit")]
    public int? Limit { get; init; }

    [JsonPropertyName("offset")]
    public int? Offset { get; init; }

    [JsonPropertyName("with_vector")]
    public bool WithVector { get; init; }

    [JsonPropertyName("with_payload")]
    public bool WithPayload { get; init; } = true;
}

internal sealed class Prefetch
{
    [JsonPropertyName("query")]
    public required QdrantQuery Query { get; init; }

    [JsonPropertyName("using")]
    public string? Using { get; init; }

    [JsonPropertyName("filter")]
    public QdrantFilter? Filter { get; init; }

    [JsonPropertyName("params")]
    public SearchParams? Params { get; init; }

    [JsonPropertyName("limit")]
    public int? Limit { get; init; }
}

internal sealed class SearchParams
{
    [JsonPropertyName("exact")]
    public bool Exact { get; init; }
}

internal sealed class QueryResult
{
    [JsonPropertyName("points")]
    public List<ScoredPoint> Points { get; init; } = [];
}
