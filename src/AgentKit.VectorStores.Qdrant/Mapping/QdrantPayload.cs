using System.Collections;
using System.Globalization;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace AgentKit.VectorStores.Qdrant.Mapping;

/// <summary>
/// Converts data property values to and from Qdrant payload values. Dates and Guids are stored as strings (RFC 3339,
/// and the "D" form), as the REST connector stored them, so collections written by either read the same.
/// </summary>
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

    /// <summary>The payload index schema for a property's type.</summary>
    public static PayloadSchemaType IndexSchema(Type type)
    {
        var scalar = ElementType(type) ?? type;
        scalar = Nullable.GetUnderlyingType(scalar) ?? scalar;
        return scalar switch
        {
            _ when scalar == typeof(int) || scalar == typeof(long) => PayloadSchemaType.Integer,
            _ when scalar == typeof(float) || scalar == typeof(double) => PayloadSchemaType.Float,
            _ when scalar == typeof(bool) => PayloadSchemaType.Bool,
            _ when scalar == typeof(DateTime) || scalar == typeof(DateTimeOffset) => PayloadSchemaType.Datetime,
            _ => PayloadSchemaType.Keyword, // string and Guid (stored as its string form; uuid indexes need Qdrant 1.11)
        };
    }

    /// <summary>An RFC 3339 string, the form Qdrant's datetime index parses.</summary>
    public static string Rfc3339(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public static string Rfc3339(DateTime value) =>
        Rfc3339(value.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(value, TimeSpan.Zero) : new DateTimeOffset(value.ToUniversalTime()));

    /// <summary>A UTC instant: unspecified kinds are taken as UTC, like <see cref="Rfc3339(DateTime)"/>.</summary>
    public static DateTimeOffset Instant(object value) => value switch
    {
        DateTimeOffset dto => dto.ToUniversalTime(),
        DateTime dt => dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(dt, TimeSpan.Zero) : new DateTimeOffset(dt.ToUniversalTime()),
        _ => throw new ArgumentException($"{value.GetType().Name} is not a date.", nameof(value)),
    };

    public static Value ToValue(object? value) => value switch
    {
        null => new Value { NullValue = NullValue.NullValue },
        string s => new Value { StringValue = s },
        int i => new Value { IntegerValue = i },
        long l => new Value { IntegerValue = l },
        float f => new Value { DoubleValue = f },
        double d => new Value { DoubleValue = d },
        bool b => new Value { BoolValue = b },
        DateTime dt => new Value { StringValue = Rfc3339(dt) },
        DateTimeOffset dto => new Value { StringValue = Rfc3339(dto) },
        Guid g => new Value { StringValue = g.ToString("D") },
        IEnumerable items => new Value { ListValue = new ListValue { Values = { items.Cast<object?>().Select(ToValue) } } },
        _ => throw new NotSupportedException($"A payload value of type {value.GetType().Name} cannot be stored in Qdrant; supported: {QdrantModelBuilder.SupportedDataTypes}."),
    };

    /// <summary>Reads a payload value as <paramref name="type"/>; a value of the wrong kind is a <see cref="FormatException"/>.</summary>
    public static object? FromValue(Value value, Type type)
    {
        if (value.KindCase is Value.KindOneofCase.NullValue or Value.KindOneofCase.None)
        {
            return null;
        }

        if (ElementType(type) is { } element)
        {
            var items = value.KindCase == Value.KindOneofCase.ListValue
                ? value.ListValue.Values
                : throw new FormatException($"Expected a list for {type.Name}, found {value.KindCase}.");
            return type.IsArray ? ReadArray(items, element) : ReadList(items, element);
        }

        return Scalar(value, Nullable.GetUnderlyingType(type) ?? type);
    }

    private static object Scalar(Value value, Type type) => type switch
    {
        _ when type == typeof(string) => Expect(value, Value.KindOneofCase.StringValue).StringValue,
        _ when type == typeof(int) => checked((int)Integer(value)),
        _ when type == typeof(long) => Integer(value),
        _ when type == typeof(float) => (float)Number(value),
        _ when type == typeof(double) => Number(value),
        _ when type == typeof(bool) => Expect(value, Value.KindOneofCase.BoolValue).BoolValue,
        _ when type == typeof(DateTimeOffset) => ParseDate(value),
        _ when type == typeof(DateTime) => ParseDate(value).UtcDateTime,
        _ when type == typeof(Guid) => Guid.Parse(Expect(value, Value.KindOneofCase.StringValue).StringValue, CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"Payload values cannot be read as {type.Name}."),
    };

    private static long Integer(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.IntegerValue => value.IntegerValue,

        // A whole number written by another client as a double is still the integer it stands for.
        Value.KindOneofCase.DoubleValue when Math.Floor(value.DoubleValue) == value.DoubleValue && Math.Abs(value.DoubleValue) < 9e15 => (long)value.DoubleValue,
        _ => throw new FormatException($"Expected an integer, found {Describe(value)}."),
    };

    private static double Number(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.DoubleValue => value.DoubleValue,
        Value.KindOneofCase.IntegerValue => value.IntegerValue,
        _ => throw new FormatException($"Expected a number, found {Describe(value)}."),
    };

    private static DateTimeOffset ParseDate(Value value) =>
        DateTimeOffset.Parse(Expect(value, Value.KindOneofCase.StringValue).StringValue, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static Value Expect(Value value, Value.KindOneofCase kind) =>
        value.KindCase == kind ? value : throw new FormatException($"Expected {kind}, found {Describe(value)}.");

    private static string Describe(Value value) => value.KindCase.ToString();

    private static Array ReadArray(RepeatedField<Value> items, Type element)
    {
        var array = Array.CreateInstance(element, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            array.SetValue(FromValue(items[i], element), i);
        }

        return array;
    }

    // Explicit per element type so no generic type is constructed at run time.
    private static object ReadList(RepeatedField<Value> items, Type element)
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

    private static List<T> Fill<T>(List<T> list, RepeatedField<Value> items)
    {
        foreach (var item in items)
        {
            list.Add((T)FromValue(item, typeof(T))!);
        }

        return list;
    }
}
