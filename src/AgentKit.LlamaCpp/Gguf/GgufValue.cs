using System.Globalization;

namespace AgentKit.LlamaCpp.Gguf;

/// <summary>One GGUF metadata value: a scalar, a string, or an array of one element type.</summary>
/// <remarks>
/// <see cref="Value"/> holds the CLR type that matches <see cref="Type"/> exactly (<c>uint</c> for
/// <see cref="GgufValueType.UInt32"/>, and so on); an array holds a typed CLR array of
/// <see cref="ElementType"/> (<c>string[]</c>, <c>int[]</c>, ...).
/// </remarks>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, GgufValueType? elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        Value = value;
    }

    /// <summary>The value's type; <see cref="GgufValueType.Array"/> for arrays.</summary>
    public GgufValueType Type { get; }

    /// <summary>The type of the elements of an array; null for scalars and strings.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>The value itself: a boxed scalar, a string, or a typed array.</summary>
    public object Value { get; }

    /// <summary>Creates a scalar or string value, inferring the GGUF type from the CLR type.</summary>
    /// <param name="value">A byte, sbyte, ushort, short, uint, int, float, bool, string, ulong, long or double.</param>
    /// <exception cref="ArgumentException">The CLR type has no GGUF equivalent.</exception>
    public static GgufValue Scalar(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new GgufValue(TypeOf(value.GetType()), null, value);
    }

    /// <summary>Creates an array value, inferring the element type from the CLR array's element type.</summary>
    /// <param name="elements">A typed array of one of the scalar CLR types (not of arrays).</param>
    /// <exception cref="ArgumentException">The element type has no GGUF equivalent.</exception>
    public static GgufValue Array(System.Array elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return new GgufValue(GgufValueType.Array, TypeOf(elements.GetType().GetElementType()!), elements);
    }

    /// <summary>The value as a string.</summary>
    /// <exception cref="InvalidCastException">The value is not a string.</exception>
    public string AsString() => Value as string ?? throw WrongType("a string");

    /// <summary>The value as a 64-bit integer, for any integer type that fits.</summary>
    /// <exception cref="InvalidCastException">The value is not an integer, or a <c>uint64</c> above <see cref="long.MaxValue"/>.</exception>
    public long AsInt64() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => throw WrongType("an integer that fits in 64 signed bits"),
    };

    /// <summary>The value as a double, for any numeric type.</summary>
    /// <exception cref="InvalidCastException">The value is not a number.</exception>
    public double AsDouble() => Value switch
    {
        float v => v,
        double v => v,
        bool => throw WrongType("a number"),
        string or System.Array => throw WrongType("a number"),
        _ => AsInt64(),
    };

    /// <summary>The value as a boolean.</summary>
    /// <exception cref="InvalidCastException">The value is not a boolean.</exception>
    public bool AsBoolean() => Value is bool v ? v : throw WrongType("a boolean");

    /// <summary>The elements of an array value.</summary>
    /// <typeparam name="T">The CLR element type matching <see cref="ElementType"/>.</typeparam>
    /// <exception cref="InvalidCastException">The value is not an array of <typeparamref name="T"/>.</exception>
    public IReadOnlyList<T> AsArray<T>() => Value as T[] ?? throw WrongType($"an array of {typeof(T).Name}");

    /// <summary>The number of elements of an array value; 1 for other values.</summary>
    public int Count => Value is System.Array a ? a.Length : 1;

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        string s => s,
        System.Array a => $"[{ElementType} x {a.Length}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    private InvalidCastException WrongType(string wanted) =>
        new($"The GGUF value is {(ElementType is { } e ? $"an array of {e}" : Type.ToString())}, not {wanted}.");

    internal static GgufValueType TypeOf(Type clrType) => clrType switch
    {
        _ when clrType == typeof(byte) => GgufValueType.UInt8,
        _ when clrType == typeof(sbyte) => GgufValueType.Int8,
        _ when clrType == typeof(ushort) => GgufValueType.UInt16,
        _ when clrType == typeof(short) => GgufValueType.Int16,
        _ when clrType == typeof(uint) => GgufValueType.UInt32,
        _ when clrType == typeof(int) => GgufValueType.Int32,
        _ when clrType == typeof(float) => GgufValueType.Float32,
        _ when clrType == typeof(bool) => GgufValueType.Bool,
        _ when clrType == typeof(string) => GgufValueType.String,
        _ when clrType == typeof(ulong) => GgufValueType.UInt64,
        _ when clrType == typeof(long) => GgufValueType.Int64,
        _ when clrType == typeof(double) => GgufValueType.Float64,
        _ => throw new ArgumentException($"{clrType} has no GGUF value type.", nameof(clrType)),
    };
}
