using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// Checks numeric arguments against the .NET type of the parameter they bind to. A generated schema says
/// <c>"type": "integer"</c> for an <c>int</c> with no bounds, so <c>1e20</c> passes the schema and would only fail
/// when the function binds it; this names the argument and the range instead, before the tool runs.
/// </summary>
internal static class ParameterRanges
{
    /// <summary>One message per argument outside its parameter type's range, in the schema validator's form (<c>#/name: …</c>).</summary>
    public static IReadOnlyList<string> Check(AIFunction function, JsonElement arguments)
    {
        if (function.UnderlyingMethod is not { } method || arguments.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        List<string>? errors = null;
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.Name is not { } name
                || !arguments.TryGetProperty(name, out var value)
                || value.ValueKind != JsonValueKind.Number
                || Range(parameter) is not { } range
                || range.Fits(value))
            {
                continue;
            }

            (errors ??= []).Add($"#/{name}: {value.GetRawText()} is outside the range of the parameter's type {range.TypeName} ({range.Bounds})");
        }

        return errors ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The checked types, built once: integers by their bounds, <c>float</c> by its magnitude, <c>decimal</c> by what it can hold.</summary>
    private static readonly Dictionary<Type, NumericRange> Ranges = new()
    {
        [typeof(byte)] = Integer<byte>(),
        [typeof(sbyte)] = Integer<sbyte>(),
        [typeof(short)] = Integer<short>(),
        [typeof(ushort)] = Integer<ushort>(),
        [typeof(int)] = Integer<int>(),
        [typeof(uint)] = Integer<uint>(),
        [typeof(long)] = Integer<long>(),
        [typeof(ulong)] = Integer<ulong>(),
        [typeof(float)] = new(nameof(Single), $"±{float.MaxValue.ToString(CultureInfo.InvariantCulture)}", static e => e.TryGetDouble(out var d) && Math.Abs(d) <= float.MaxValue),
        [typeof(decimal)] = new(nameof(Decimal), $"±{decimal.MaxValue.ToString(CultureInfo.InvariantCulture)}", static e => e.TryGetDecimal(out _)),
    };

    private static NumericRange? Range(ParameterInfo parameter)
        => Ranges.GetValueOrDefault(Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType);

    /// <summary>
    /// An integer type: the value must lie within the type's bounds, compared exactly (as a decimal). A whole number
    /// written with an exponent or a fraction of zeros (<c>4e2</c>, <c>400.0</c>) is within bounds when its value is.
    /// </summary>
    private static NumericRange Integer<T>()
        where T : System.Numerics.IMinMaxValue<T>, IFormattable
    {
        var min = T.MinValue.ToString(null, CultureInfo.InvariantCulture);
        var max = T.MaxValue.ToString(null, CultureInfo.InvariantCulture);
        var low = decimal.Parse(min, CultureInfo.InvariantCulture);
        var high = decimal.Parse(max, CultureInfo.InvariantCulture);
        return new NumericRange(typeof(T).Name, $"{min} to {max}", e => e.TryGetDecimal(out var d) && d >= low && d <= high);
    }

    private sealed record NumericRange(string TypeName, string Bounds, Func<JsonElement, bool> Fits);
}
