using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentKit.VectorStores.Qdrant.Wire;

/// <summary>A point id: an unsigned integer or a UUID, the only two kinds Qdrant accepts.</summary>
[JsonConverter(typeof(QdrantPointIdConverter))]
internal readonly record struct QdrantPointId
{
    private QdrantPointId(ulong? number, Guid? uuid)
    {
        Number = number;
        Uuid = uuid;
    }

    public ulong? Number { get; }

    public Guid? Uuid { get; }

    public static QdrantPointId FromNumber(ulong number) => new(number, null);

    public static QdrantPointId FromUuid(Guid uuid) => new(null, uuid);

    /// <summary>The id of a key value; ulong and Guid are the only key types.</summary>
    public static QdrantPointId FromKey(object? key) => key switch
    {
        null => throw new ArgumentNullException(nameof(key), "A key is null; Qdrant point ids are ulong or Guid."),
        ulong number => FromNumber(number),
        Guid uuid => FromUuid(uuid),
        _ => throw new NotSupportedException($"Qdrant point ids are ulong or Guid; a key of type {key.GetType().Name} cannot be used."),
    };

    /// <summary>The id as the CLR key value (ulong or Guid).</summary>
    public object ToKey() => Number is { } n ? n : Uuid!.Value;

    public override string ToString() => Number?.ToString(CultureInfo.InvariantCulture) ?? Uuid!.Value.ToString("D");
}

internal sealed class QdrantPointIdConverter : JsonConverter<QdrantPointId>
{
    public override QdrantPointId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetUInt64(out var number) => QdrantPointId.FromNumber(number),
            JsonTokenType.String when reader.TryGetGuid(out var uuid) => QdrantPointId.FromUuid(uuid),
            _ => throw new JsonException($"A Qdrant point id is an unsigned integer or a UUID string, not {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, QdrantPointId value, JsonSerializerOptions options)
    {
        if (value.Number is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value.Uuid!.Value.ToString("D"));
        }
    }
}
