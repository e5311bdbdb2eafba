using System.Text.Json;

namespace AgentKit.Abstractions.Json;

/// <summary>JSON pointer helpers shared by the schema converter and validator.</summary>
internal static class JsonSchemaPointer
{
    public static string Child(string pointer, string segment) =>
        pointer + "/" + segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Child(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Resolves a local <c>$ref</c> (<c>#</c>, <c>#/$defs/x</c>, <c>#/definitions/x</c>, any JSON pointer) in the root document.</summary>
    public static bool TryResolve(JsonElement root, string reference, out JsonElement target)
    {
        target = root;
        if (!reference.StartsWith('#'))
        {
            return false;
        }

        var fragment = Uri.UnescapeDataString(reference[1..]);
        if (fragment.Length == 0)
        {
            return true;
        }

        if (!fragment.StartsWith('/'))
        {
            return false;
        }

        foreach (var raw in fragment[1..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (target.ValueKind == JsonValueKind.Object && target.TryGetProperty(segment, out var next))
            {
                target = next;
            }
            else if (target.ValueKind == JsonValueKind.Array && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < target.GetArrayLength())
            {
                target = target[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }
}
