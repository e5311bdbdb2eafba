using System.Collections;
using System.Text.Json;

namespace AgentKit.Prompts.Rendering;

/// <summary>Checks .NET values against the declared input types.</summary>
internal static class InputTypes
{
    public static string Name(PromptInputType type) => type switch
    {
        PromptInputType.String => "string",
        PromptInputType.Number => "number",
        PromptInputType.Integer => "integer",
        PromptInputType.Boolean => "boolean",
        PromptInputType.Array => "array",
        _ => "object",
    };

    /// <summary><see langword="null"/> when <paramref name="value"/> fits <paramref name="type"/>, else what it is instead.</summary>
    public static string? Describe(PromptInputType type, object value)
    {
        var kind = KindOf(value);
        var fits = type switch
        {
            PromptInputType.Number => kind is PromptInputType.Number or PromptInputType.Integer,
            PromptInputType.Integer => kind == PromptInputType.Integer,
            _ => kind == type,
        };
        return fits ? null : $"{Article(kind)} {Name(kind)}, not {Article(type)} {Name(type)}";
    }

    /// <summary>What a value is, in the input type vocabulary (whole numbers are integers).</summary>
    public static PromptInputType KindOf(object value) => value switch
    {
        string or char => PromptInputType.String,
        bool => PromptInputType.Boolean,
        sbyte or byte or short or ushort or int or uint or long or ulong or Int128 or UInt128 => PromptInputType.Integer,
        float f => Whole(f) ? PromptInputType.Integer : PromptInputType.Number,
        double d => Whole(d) ? PromptInputType.Integer : PromptInputType.Number,
        decimal m => decimal.Truncate(m) == m ? PromptInputType.Integer : PromptInputType.Number,
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.String => PromptInputType.String,
            JsonValueKind.True or JsonValueKind.False => PromptInputType.Boolean,
            JsonValueKind.Number => e.TryGetDecimal(out var n) && decimal.Truncate(n) == n ? PromptInputType.Integer : PromptInputType.Number,
            JsonValueKind.Array => PromptInputType.Array,
            _ => PromptInputType.Object,
        },
        IDictionary or IReadOnlyDictionary<string, object?> => PromptInputType.Object,
        IEnumerable => PromptInputType.Array,
        _ => PromptInputType.Object,
    };

    private static bool Whole(double d) => double.IsFinite(d) && Math.Truncate(d) == d;

    private static string Article(PromptInputType type) => type is PromptInputType.Integer or PromptInputType.Array or PromptInputType.Object ? "an" : "a";
}
