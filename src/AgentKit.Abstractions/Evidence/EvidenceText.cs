using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Evidence;

/// <summary>Turns tool results into <see cref="Evidence"/> with their provenance.</summary>
public static class EvidenceText
{
    private const int MaxFields = 2000;
    private const int MaxDepth = 16;

    private static readonly string[] TextFields = ["text", "content", "snippet", "passage"];
    private static readonly string[] SourceFields = ["citation", "source", "url", "uri", "title", "name"];
    private static readonly HashSet<string> TimeFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "updated", "updated_at", "updatedAt", "last_updated", "lastUpdated", "modified", "modified_at", "modifiedAt",
        "last_modified", "lastModified", "as_of", "asOf", "date", "timestamp", "published", "published_at",
        "publishedAt", "effective", "effective_date", "effectiveDate",
    };

    /// <summary>
    /// The evidence in one tool result. A JSON array of objects that each carry a text field (search results: <c>text</c>,
    /// <c>content</c>, <c>snippet</c>) gives one piece per element, its source from the element's citation, source, URL or
    /// title and its time from a date field (<c>updated</c>, <c>date</c>, <c>as_of</c>, …); any other JSON gives one piece
    /// read one field per statement (<c>order status: shipped.</c>), dated by such a field when it has one; plain text is
    /// one piece. Undated pieces take <paramref name="received"/>.
    /// </summary>
    /// <param name="toolName">The tool's name: the source of pieces that name none.</param>
    /// <param name="callId">The call's id: pieces are <c>toolName#callId</c>, numbered when there are several.</param>
    /// <param name="result">The result as the tool returned it (<see cref="JsonElement"/>, string or object).</param>
    /// <param name="received">When the result arrived; null when unknown.</param>
    public static IReadOnlyList<Evidence> FromToolResult(string toolName, string callId, object? result, DateTimeOffset? received = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        ArgumentNullException.ThrowIfNull(callId);
        var id = $"{toolName}#{callId}";
        if (result is null)
        {
            return [];
        }

        JsonElement json;
        if (result is string text)
        {
            if (!TryParse(text, out json))
            {
                return [new Evidence(id, text, toolName, received)];
            }
        }
        else
        {
            json = result is JsonElement element ? element : JsonSerializer.SerializeToElement(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType()));
        }

        if (json.ValueKind == JsonValueKind.String)
        {
            return [new Evidence(id, json.GetString()!, toolName, received)];
        }

        if (json.ValueKind == JsonValueKind.Array && json.GetArrayLength() > 0 && json.EnumerateArray().All(e => TextOf(e) is not null))
        {
            return [.. json.EnumerateArray().Take(MaxFields).Select((element, i) => new Evidence(
                $"{id}.{i + 1}",
                TextOf(element)!,
                FirstString(element, SourceFields) ?? toolName,
                TimeOf(element) ?? received))];
        }

        var fields = new StringBuilder();
        var count = 0;
        Flatten(json, "", 0, fields, ref count);
        return [new Evidence(id, fields.ToString(), toolName, (json.ValueKind == JsonValueKind.Object ? TimeOf(json) : null) ?? received)];
    }

    private static bool TryParse(string text, out JsonElement json)
    {
        json = default;
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] is not ('{' or '['))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            json = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? TextOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? FirstString(element, TextFields) : null;

    private static string? FirstString(JsonElement element, string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String && names.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
            {
                return property.Value.GetString();
            }
        }

        return null;
    }

    private static DateTimeOffset? TimeOf(JsonElement element)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String && TimeFields.Contains(property.Name)
                && DateTimeOffset.TryParse(property.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                return time;
            }
        }

        return null;
    }

    /// <summary>One <c>path words: value.</c> statement per leaf, separated by blank lines (each is its own sentence).</summary>
    private static void Flatten(JsonElement element, string path, int depth, StringBuilder fields, ref int count)
    {
        if (count >= MaxFields || depth > MaxDepth)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, path.Length == 0 ? property.Name : path + " " + property.Name, depth + 1, fields, ref count);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, path, depth + 1, fields, ref count);
                }

                break;
            default:
                count++;
                var value = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                fields.Append(path.Replace('_', ' ')).Append(": ").Append(value).Append(".\n\n");
                break;
        }
    }
}
