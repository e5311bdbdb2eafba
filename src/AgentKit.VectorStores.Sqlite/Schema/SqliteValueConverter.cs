using System.Globalization;
using System.Text.Json;

namespace AgentKit.VectorStores.Sqlite.Schema;

/// <summary>
/// Maps .NET values to the values SQLite stores and back. Guids are text in the "D" format, booleans 0/1,
/// dates ISO 8601 text (<see cref="DateTimeOffset"/> in UTC, so that text order is time order), collections JSON arrays.
/// </summary>
internal static class SqliteValueConverter
{
    internal const string SupportedDataTypes =
        "string, bool, byte, short, int, long, float, double, Guid, DateTime, DateTimeOffset, byte[] (and nullable forms), "
        + "and arrays or List<T> of string, int, long, double";

    private static readonly Type[] ScalarTypes =
    [
        typeof(string), typeof(bool), typeof(byte), typeof(short), typeof(int), typeof(long), typeof(float),
        typeof(double), typeof(Guid), typeof(DateTime), typeof(DateTimeOffset), typeof(byte[]),
    ];

    private static readonly Type[] ElementTypes = [typeof(string), typeof(int), typeof(long), typeof(double)];

    internal static bool IsKeyType(Type type)
        => type == typeof(string) || type == typeof(Guid) || type == typeof(int) || type == typeof(long);

    internal static bool IsDataType(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return Array.IndexOf(ScalarTypes, underlying) >= 0 || CollectionElementType(type) is not null;
    }

    /// <summary>The element type when <paramref name="type"/> is a supported array or list, otherwise null.</summary>
    internal static Type? CollectionElementType(Type type)
    {
        Type? element = type.IsArray && type != typeof(byte[]) ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
            : null;
        return element is not null && Array.IndexOf(ElementTypes, element) >= 0 ? element : null;
    }

    /// <summary>The SQLite column type (affinity) for a key or data property of <paramref name="type"/>.</summary>
    internal static string ColumnType(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool) || underlying == typeof(byte) || underlying == typeof(short)
            || underlying == typeof(int) || underlying == typeof(long))
        {
            return "INTEGER";
        }

        if (underlying == typeof(float) || underlying == typeof(double))
        {
            return "REAL";
        }

        return underlying == typeof(byte[]) ? "BLOB" : "TEXT";
    }

    /// <summary>Converts a .NET value to what is bound as a SQLite parameter.</summary>
    internal static object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        string s => s,
        bool b => b ? 1L : 0L,
        byte b => (long)b,
        short s => (long)s,
        int i => (long)i,
        long l => l,
        float f => (double)f,
        double d => d,
        Guid g => g.ToString("D"),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        byte[] bytes => bytes,
        System.Collections.IEnumerable when CollectionElementType(value.GetType()) is not null
            => JsonSerializer.Serialize(value, value.GetType()),
        _ => throw new NotSupportedException(
            $"Values of type '{value.GetType().Name}' cannot be stored or compared. Supported types: {SupportedDataTypes}."),
    };

    /// <summary>Converts a value read from SQLite to the .NET type of the property.</summary>
    internal static object? FromDb(object? value, Type type)
    {
        if (value is null or DBNull)
        {
            return null;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (CollectionElementType(type) is { } element)
        {
            return FromJsonArray((string)value, type, element);
        }

        return underlying switch
        {
            _ when underlying == typeof(string) => Convert.ToString(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(bool) => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
            _ when underlying == typeof(byte) => Convert.ToByte(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(short) => Convert.ToInt16(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(int) => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(long) => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(float) => Convert.ToSingle(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(double) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ when underlying == typeof(Guid) => Guid.Parse((string)value),
            _ when underlying == typeof(DateTime) => DateTime.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            _ when underlying == typeof(DateTimeOffset) => DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            _ when underlying == typeof(byte[]) => (byte[])value,
            _ => throw new NotSupportedException($"Values of type '{type.Name}' cannot be read. Supported types: {SupportedDataTypes}."),
        };
    }

    private static object FromJsonArray(string json, Type type, Type element)
    {
        var arrayType = element.MakeArrayType();
        var array = (Array)(JsonSerializer.Deserialize(json, arrayType) ?? Array.CreateInstance(element, 0));
        if (type.IsArray)
        {
            return array;
        }

        var list = (System.Collections.IList)Activator.CreateInstance(type, array.Length)!;
        foreach (var item in array)
        {
            list.Add(item);
        }

        return list;
    }
}
