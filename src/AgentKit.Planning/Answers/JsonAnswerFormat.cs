using System.Text;
using System.Text.Json;
using AgentKit.Abstractions.Json;

namespace AgentKit.Planning;

/// <summary>JSON satisfying a schema, compared in a canonical form (object keys sorted, no white space).</summary>
internal sealed class JsonAnswerFormat(JsonElement schema) : AnswerFormat
{
    private readonly JsonElement _schema = schema.Clone();

    public override string Kind => "json";

    public override string Detail => JsonSerializer.Serialize(_schema);

    public override JsonElement? Schema => _schema;

    public override string? Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        try
        {
            using var document = JsonDocument.Parse(answer.Trim());
            return Canonical(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string? TryParse(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        // The answer is the last JSON value in the text that satisfies the schema; scan candidate openings from the end.
        for (var start = reasoning.Length - 1; start >= 0; start--)
        {
            if (reasoning[start] is not ('{' or '['))
            {
                continue;
            }

            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(reasoning[start..]), new JsonReaderOptions { AllowTrailingCommas = false });
            try
            {
                if (JsonDocument.TryParseValue(ref reader, out var document))
                {
                    using (document)
                    {
                        if (Canonical(document.RootElement) is { } answer)
                        {
                            return answer;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON from this opening; keep scanning.
            }
        }

        return null;
    }

    private string? Canonical(JsonElement value)
    {
        if (JsonSchemaValidator.Validate(_schema, value).Count > 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
