using System.Text.Json;

namespace AgentKit.Planning;

/// <summary>Reads JSON answers that came back without the prompts library's checked round trip (multi-sequence batches).</summary>
internal static class StructuredJson
{
    /// <summary>The JSON object in <paramref name="text"/> (a Markdown fence around it is ignored), or <see langword="null"/>.</summary>
    public static JsonElement? TryParseObject(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = trimmed.IndexOf('\n', StringComparison.Ordinal);
            trimmed = firstLine < 0 ? trimmed.Trim('`') : trimmed[(firstLine + 1)..].TrimEnd('`', ' ', '\n', '\r');
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
