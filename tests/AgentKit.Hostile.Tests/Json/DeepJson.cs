using System.Text.Json;

namespace AgentKit.Hostile.Tests.Json;

/// <summary>JSON nested far past System.Text.Json's default depth of 64, parsed with the limit lifted so it reaches the component.</summary>
internal static class DeepJson
{
    public static readonly JsonDocumentOptions Unbounded = new() { MaxDepth = 100_000 };

    /// <summary><c>[[[...]]]</c>, <paramref name="depth"/> arrays deep.</summary>
    public static string Arrays(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary><c>{"a":{"a":...1}}</c>, <paramref name="depth"/> objects deep.</summary>
    public static string Objects(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>A schema of arrays of arrays, <paramref name="depth"/> levels, ending in integers.</summary>
    public static string ArraySchema(int depth) =>
        string.Concat(Enumerable.Repeat("{\"type\":\"array\",\"items\":", depth)) + "{\"type\":\"integer\"}" + new string('}', depth);

    /// <summary>A schema of objects each with one required property "a", <paramref name="depth"/> levels.</summary>
    public static string ObjectSchema(int depth) =>
        string.Concat(Enumerable.Repeat("{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":", depth)) + "{\"type\":\"string\"}" + string.Concat(Enumerable.Repeat("}}", depth));

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json, Unbounded);
        return document.RootElement.Clone();
    }
}
