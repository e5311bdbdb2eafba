using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentKit.VectorStores.Qdrant.Wire;

/// <summary>Source-generated (reflection-free) serialization for every body the connector sends or reads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QdrantResponse<CollectionsResult>))]
[JsonSerializable(typeof(QdrantResponse<CollectionExistence>))]
[JsonSerializable(typeof(QdrantResponse<UpdateResult>))]
[JsonSerializable(typeof(QdrantResponse<bool>))]
[JsonSerializable(typeof(QdrantResponse<List<RecordResult>>))]
[JsonSerializable(typeof(QdrantResponse<ScrollResult>))]
[JsonSerializable(typeof(QdrantResponse<QueryResult>))]
[JsonSerializable(typeof(CreateCollectionRequest))]
[JsonSerializable(typeof(VectorParams))]
[JsonSerializable(typeof(CreateFieldIndexRequest))]
[JsonSerializable(typeof(PointsList))]
[JsonSerializable(typeof(PointIdsList))]
[JsonSerializable(typeof(FilterSelector))]
[JsonSerializable(typeof(PointRequest))]
[JsonSerializable(typeof(ScrollRequest))]
[JsonSerializable(typeof(QueryRequest))]
internal sealed partial class QdrantJsonContext : JsonSerializerContext;

internal sealed class VectorsConfigConverter : JsonConverter<VectorsConfig>
{
    public override VectorsConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Vector configurations are only written.");

    public override void Write(Utf8JsonWriter writer, VectorsConfig value, JsonSerializerOptions options)
    {
        var paramsInfo = QdrantJsonContext.Default.VectorParams;
        if (value.Single is { } single)
        {
            JsonSerializer.Serialize(writer, single, paramsInfo);
            return;
        }

        writer.WriteStartObject();
        foreach (var (name, vector) in value.Named ?? [])
        {
            writer.WritePropertyName(name);
            JsonSerializer.Serialize(writer, vector, paramsInfo);
        }

        writer.WriteEndObject();
    }
}
