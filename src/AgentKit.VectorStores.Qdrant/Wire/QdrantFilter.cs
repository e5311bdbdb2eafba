using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentKit.VectorStores.Qdrant.Wire;

/// <summary>
/// A Qdrant filter (<c>must</c>, <c>should</c>, <c>must_not</c>). A filter is itself a condition, so nested
/// boolean structure is a <see cref="QdrantCondition"/> with only these three lists set.
/// </summary>
internal class QdrantFilter
{
    [JsonPropertyName("must")]
    public List<QdrantCondition>? Must { get; set; }

    [JsonPropertyName("should")]
    public List<QdrantCondition>? Should { get; set; }

    [JsonPropertyName("must_not")]
    public List<QdrantCondition>? MustNot { get; set; }
}

/// <summary>
/// One condition. Exactly one shape is set: a field condition (<see cref="Key"/> with <see cref="Match"/> or
/// <see cref="Range"/>), <see cref="IsNull"/>, <see cref="HasId"/>, or a nested filter (the inherited lists).
/// </summary>
internal sealed class QdrantCondition : QdrantFilter
{
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("match")]
    public QdrantMatch? Match { get; init; }

    [JsonPropertyName("range")]
    public QdrantRange? Range { get; init; }

    [JsonPropertyName("is_null")]
    public PayloadField? IsNull { get; init; }

    [JsonPropertyName("has_id")]
    public List<QdrantPointId>? HasId { get; init; }
}

internal sealed class PayloadField
{
    [JsonPropertyName("key")]
    public required string Key { get; init; }
}

/// <summary>One of <c>{"value": …}</c>, <c>{"any": […]}</c>, <c>{"text": …}</c>.</summary>
internal sealed class QdrantMatch
{
    [JsonPropertyName("value")]
    public JsonNode? Value { get; init; }

    [JsonPropertyName("any")]
    public JsonArray? Any { get; init; }

    [JsonPropertyName("text")]
    public string? Text { get; init; }
}

/// <summary>Bounds: numbers for numeric fields, RFC 3339 strings for datetime fields.</summary>
internal sealed class QdrantRange
{
    [JsonPropertyName("gt")]
    public JsonNode? Gt { get; set; }

    [JsonPropertyName("gte")]
    public JsonNode? Gte { get; set; }

    [JsonPropertyName("lt")]
    public JsonNode? Lt { get; set; }

    [JsonPropertyName("lte")]
    public JsonNode? Lte { get; set; }
}
