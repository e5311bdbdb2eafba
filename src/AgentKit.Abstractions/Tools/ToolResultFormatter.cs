using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>Turns a tool's return value into the text the model reads, capped in length.</summary>
internal static class ToolResultFormatter
{
    public static string ToText(object? result) => result switch
    {
        null => "null",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        IFormattable f when result.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="cap"/> characters, ending with a marker that says how much was left out.</summary>
    public static string Truncate(string text, int cap, out bool truncated)
    {
        truncated = text.Length > cap;
        if (!truncated)
        {
            return text;
        }

        var marker = string.Create(CultureInfo.InvariantCulture, $"\n[truncated: {text.Length} characters in all]");
        var keep = cap - marker.Length;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, Math.Max(0, keep)), marker);
    }
}
