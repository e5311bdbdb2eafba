using System.Collections;
using System.Globalization;
using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace AgentKit.Prompts.Rendering;

/// <summary>
/// Turns input values into Liquid values. Maps become strict objects: reading a key they lack is an error
/// (<see cref="UndefinedMemberException"/>), so a misspelt <c>{{ m.txet }}</c> fails instead of rendering nothing.
/// </summary>
internal static class TemplateValues
{
    private const int MaxDepth = 64;

    private static readonly JsonSerializerOptions PlainObjectJson = new(JsonSerializerDefaults.Web);

    public static FluidValue From(object? value, string path, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"'{path}' nests more than {MaxDepth} levels deep.");
        }

        return value switch
        {
            null => NilValue.Instance,
            FluidValue fluid => fluid,
            string s => new StringValue(s),
            char c => new StringValue(c.ToString()),
            bool b => BooleanValue.Create(b),
            JsonElement e => FromJson(e, path, depth),
            DateTime or DateTimeOffset => new DateTimeValue(value is DateTime dt ? new DateTimeOffset(dt) : (DateTimeOffset)value),
            IConvertible convertible when InputTypes.KindOf(value) is PromptInputType.Integer or PromptInputType.Number && value is not Enum =>
                NumberValue.Create(ToDecimal(convertible, path)),
            IDictionary dictionary => Map(dictionary.Keys.Cast<object>().Select(k => (Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", dictionary[k])), path, depth),
            IReadOnlyDictionary<string, object?> map => Map(map.Select(p => (p.Key, p.Value)), path, depth),
            IEnumerable list => new ArrayValue(list.Cast<object?>().Select((item, i) => From(item, Item(path, i), depth + 1)).ToList()),
            Enum or Guid or Uri => new StringValue(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
            _ => FromJson(JsonSerializer.SerializeToElement(value, value.GetType(), PlainObjectJson), path, depth),
        };
    }

    private static FluidValue FromJson(JsonElement element, string path, int depth) => element.ValueKind switch
    {
        JsonValueKind.String => new StringValue(element.GetString()!),
        JsonValueKind.True => BooleanValue.True,
        JsonValueKind.False => BooleanValue.False,
        JsonValueKind.Number => element.TryGetDecimal(out var n) ? NumberValue.Create(n) : throw new InvalidDataException($"'{path}' is a number too large for a template."),
        JsonValueKind.Array => new ArrayValue(element.EnumerateArray().Select((item, i) => FromJson(item, Item(path, i), depth + 1)).ToList()),
        JsonValueKind.Object => Map(element.EnumerateObject().Select(p => (p.Name, (object?)p.Value)), path, depth),
        _ => NilValue.Instance,
    };

    private static DictionaryValue Map(IEnumerable<(string Key, object? Value)> entries, string path, int depth)
    {
        var values = new Dictionary<string, FluidValue>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            values[key] = From(value, path + "." + key, depth + 1);
        }

        return new DictionaryValue(new StrictMap(values, path));
    }

    private static decimal ToDecimal(IConvertible value, string path)
    {
        try
        {
            return value.ToDecimal(CultureInfo.InvariantCulture);
        }
        catch (OverflowException e)
        {
            throw new InvalidDataException($"'{path}' is a number too large for a template.", e);
        }
    }

    private static string Item(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    private sealed class StrictMap(Dictionary<string, FluidValue> values, string path) : IFluidIndexable
    {
        public int Count => values.Count;

        public IEnumerable<string> Keys => values.Keys;

        public IEnumerable<FluidValue> Values => values.Values;

        public bool TryGetValue(string name, out FluidValue value) =>
            values.TryGetValue(name, out value!) ? true : throw new UndefinedMemberException(path, name, values.Keys);
    }
}

/// <summary>A template read a key its map does not have.</summary>
internal sealed class UndefinedMemberException(string path, string member, IEnumerable<string> keys)
    : Exception($"'{path}' has no key '{member}' (its keys: {Join(keys)}).")
{
    public string Path { get; } = path;

    public string Member { get; } = member;

    private static string Join(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}

/// <summary>A template read a variable that is neither an input nor assigned in the template.</summary>
internal sealed class UndefinedVariableException(string name) : Exception($"Undefined variable '{name}'.")
{
    public string Name { get; } = name;
}
