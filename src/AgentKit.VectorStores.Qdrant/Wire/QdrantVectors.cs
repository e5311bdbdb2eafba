using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentKit.VectorStores.Qdrant.Wire;

/// <summary>A sparse vector: distinct indices with their weights.</summary>
internal sealed class QdrantSparseVector
{
    [JsonPropertyName("indices")]
    public required uint[] Indices { get; init; }

    [JsonPropertyName("values")]
    public required float[] Values { get; init; }
}

/// <summary>
/// A point's vectors: one unnamed dense vector (written as a bare array) or named vectors (an object of name to dense
/// array or sparse vector), the two shapes of Qdrant's <c>VectorStruct</c>.
/// </summary>
[JsonConverter(typeof(QdrantVectorsConverter))]
internal sealed class QdrantVectors
{
    /// <summary>The unnamed vector, or null when the vectors are named.</summary>
    public ReadOnlyMemory<float>? Unnamed { get; init; }

    public Dictionary<string, ReadOnlyMemory<float>> Dense { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, QdrantSparseVector> Sparse { get; } = new(StringComparer.Ordinal);
}

internal sealed class QdrantVectorsConverter : JsonConverter<QdrantVectors>
{
    public override QdrantVectors Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            return new QdrantVectors { Unnamed = ReadFloats(ref reader) };
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Vectors are an array or an object, not {reader.TokenType}.");
        }

        var vectors = new QdrantVectors();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                vectors.Dense[name] = ReadFloats(ref reader);
            }
            else
            {
                vectors.Sparse[name] = ReadSparse(ref reader);
            }
        }

        return vectors;
    }

    public override void Write(Utf8JsonWriter writer, QdrantVectors value, JsonSerializerOptions options)
    {
        if (value.Unnamed is { } unnamed)
        {
            WriteFloats(writer, unnamed.Span);
            return;
        }

        writer.WriteStartObject();
        foreach (var (name, dense) in value.Dense)
        {
            writer.WritePropertyName(name);
            WriteFloats(writer, dense.Span);
        }

        foreach (var (name, sparse) in value.Sparse)
        {
            writer.WritePropertyName(name);
            WriteSparse(writer, sparse);
        }

        writer.WriteEndObject();
    }

    internal static void WriteFloats(Utf8JsonWriter writer, ReadOnlySpan<float> values)
    {
        writer.WriteStartArray();
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException("Vectors sent to Qdrant must hold finite numbers; found NaN or infinity.");
            }

            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    internal static void WriteSparse(Utf8JsonWriter writer, QdrantSparseVector sparse)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("indices");
        foreach (var i in sparse.Indices)
        {
            writer.WriteNumberValue(i);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("values");
        WriteFloats(writer, sparse.Values);
        writer.WriteEndObject();
    }

    private static float[] ReadFloats(ref Utf8JsonReader reader)
    {
        var values = new List<float>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException("Only dense float vectors are read back; multi-vectors are not supported.");
            }

            values.Add(reader.GetSingle());
        }

        return [.. values];
    }

    private static QdrantSparseVector ReadSparse(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"A named vector is an array or a sparse object, not {reader.TokenType}.");
        }

        uint[] indices = [];
        float[] values = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "indices")
            {
                var list = new List<uint>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(reader.GetUInt32());
                }

                indices = [.. list];
            }
            else if (name == "values")
            {
                values = ReadFloats(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new QdrantSparseVector { Indices = indices, Values = values };
    }
}

/// <summary>
/// What <c>query</c> holds in a query or prefetch: a dense vector, a sparse vector, or a fusion of the prefetches.
/// </summary>
[JsonConverter(typeof(QdrantQueryConverter))]
internal sealed class QdrantQuery
{
    public ReadOnlyMemory<float>? Dense { get; init; }

    public QdrantSparseVector? Sparse { get; init; }

    /// <summary><c>rrf</c> to fuse the prefetches by reciprocal rank.</summary>
    public string? Fusion { get; init; }
}

internal sealed class QdrantQueryConverter : JsonConverter<QdrantQuery>
{
    public override QdrantQuery Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Queries are only written.");

    public override void Write(Utf8JsonWriter writer, QdrantQuery value, JsonSerializerOptions options)
    {
        if (value.Dense is { } dense)
        {
            QdrantVectorsConverter.WriteFloats(writer, dense.Span);
        }
        else if (value.Sparse is { } sparse)
        {
            QdrantVectorsConverter.WriteSparse(writer, sparse);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteString("fusion", value.Fusion);
            writer.WriteEndObject();
        }
    }
}
