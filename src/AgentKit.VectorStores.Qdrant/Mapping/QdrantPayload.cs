using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentKit.VectorStores.Qdrant.Mapping;

/// <summary>Converts data property values to and from Qdrant payload JSON.</summary>
internal static class QdrantPayload
{
    /// <summary>Whether <paramref name="type"/> is a supported scalar (nullable or not).</summary>
    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(float)
            || type == typeof(double) || type == typeof(bool) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(Guid);
    }

    /// <summary>The element type of an array or <see cref="List{T}"/>, or null.</summary>
    public static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GenericTypeArguments[0]
        : null;

    /// <summary>The payload index schema for a property's type (<c>keyword</c>, <c>integer</c>, …).</summary>
    public static string IndexSchema(Type type)
    {
        var scalar = ElementType(type) ?? type;
        scalar = Nullable.GetUnderlyingType(scalar) ?? scalar;
        return scalar switch
        {
            _ when scalar == typeof(int) || scalar == typeof(long) => "integer",
            _ when scalar == typeof(float) || scalar == typeof(double) => "float",
            _ when scalar == typeof(bool) => "bool",
            _ when scalar == typeof(DateTime) || scalar == typeof(DateTimeOffset) => "datetime",
            _ => "keyword", // string and Guid (stored as its string form; "uuid" indexes need Qdrant 1.11)
        };
    }

    /// <summary>An RFC 3339 string, the form Qdrant's datetime index and range filters parse.</summary>
    public static string Rfc3339(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public static string Rfc3339(DateTime value) =>
        Rfc3339(value.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(value, TimeSpan.Zero) : new DateTimeOffset(value.ToUniversalTime()));

    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        DateTime dt => JsonValue.Create(Rfc3339(dt)),
        DateTimeOffset dto => JsonValue.Create(Rfc3339(dto)),
        Guid g => JsonValue.Create(g.ToString("D")),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(ToNode)]),
        _ => throw new NotSupportedException($"A payload value of type {value.GetType().Name} cannot be stored in Qdrant; supported: {QdrantModelBuilder.SupportedDataTypes}."),
    };

    public static object? FromNode(JsonNode? node, Type type)
    {
        if (node is null)
        {
            return null;
        }

        if (ElementType(type) is { } element)
        {
            var items = node as JsonArray ?? throw new FormatException($"Expected a JSON array for {type.Name}, found {node.GetValueKind()}.");
            return type.IsArray ? ReadArray(items, element) : ReadList(items, element);
        }

        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        return Scalar(node, scalar);
    }

    private static object Scalar(JsonNode node, Type type) => type switch
    {
        _ when type == typeof(string) => node.GetValue<string>(),
        _ when type == typeof(int) => node.GetValue<int>(),
        _ when type == typeof(long) => node.GetValue<long>(),
        _ when type == typeof(float) => node.GetValue<float>(),
        _ when type == typeof(double) => node.GetValue<double>(),
        _ when type == typeof(bool) => node.GetValue<bool>(),
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        _ when type == typeof(DateTime) => DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime,
        _ when type == typeof(Guid) => Guid.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"Payload values cannot be read as {type.Name}."),
    };

    private static Array ReadArray(JsonArray items, Type element)
    {
        var array = Array.CreateInstance(element, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            array.SetValue(FromNode(items[i], element), i);
        }

        return array;
    }

    // Explicit per element type so no generic type is constructed at run time.
    private static object ReadList(JsonArray items, Type element)
    {
        var underlying = Nullable.GetUnderlyingType(element);
        return (underlying ?? element) switch
        {
            var t when t == typeof(string) => Fill(new List<string?>(items.Count), items),
            var t when t == typeof(int) => underlying is null ? Fill(new List<int>(items.Count), items) : Fill(new List<int?>(items.Count), items),
            var t when t == typeof(long) => underlying is null ? Fill(new List<long>(items.Count), items) : Fill(new List<long?>(items.Count), items),
            var t when t == typeof(float) => underlying is null ? Fill(new List<float>(items.Count), items) : Fill(new List<float?>(items.Count), items),
            var t when t == typeof(double) => underlying is null ? Fill(new List<double>(items.Count), items) : Fill(new List<double?>(items.Count), items),
            var t when t == typeof(bool) => underlying is null ? Fill(new List<bool>(items.Count), items) : Fill(new List<bool?>(items.Count), items),
            var t when t == typeof(DateTime) => underlying is null ? Fill(new List<DateTime>(items.Count), items) : Fill(new List<DateTime?>(items.Count), items),
            var t when t == typeof(DateTimeOffset) => underlying is null ? Fill(new List<DateTimeOffset>(items.Count), items) : Fill(new List<DateTimeOffset?>(items.Count), items),
            var t when t == typeof(Guid) => underlying is null ? Fill(new List<Guid>(items.Count), items) : Fill(new List<Guid?>(items.Count), items),
            _ => throw new NotSupportedException($"Payload lists of {element.Name} are not supported."),
        };
    }

    private static List<T> Fill<T>(List<T> list, JsonArray items)
    {
        foreach (var item in items)
        {
            list.Add((T)FromNode(item, typeof(T))!);
        }

        return list;
    }
}
