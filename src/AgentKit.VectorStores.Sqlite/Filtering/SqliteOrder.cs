using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AgentKit.VectorStores.Sqlite.Filtering;

/// <summary>
/// SQLite's order of values, reproduced exactly for in-memory filters: integers and reals compared numerically
/// without rounding (a 64-bit integer is not converted to a double), text by the BINARY collation — UTF-8 byte
/// order, which is Unicode code point order (not .NET's ordinal UTF-16 order, which puts U+E000..U+FFFF after
/// supplementary characters). The <c>Fill</c> loops set, for each slot, the bit of whether the slot's value
/// compared with the constant falls in <c>accepted</c> (1: less, 2: equal, 4: greater); null slots are masked by
/// the caller.
/// </summary>
internal static class SqliteOrder
{
    private const double TwoTo63 = 9223372036854775808.0;

    /// <summary>The sign of <paramref name="integer"/> − <paramref name="real"/>, exactly (<paramref name="real"/> is not NaN).</summary>
    internal static int Compare(long integer, double real)
    {
        if (real >= TwoTo63)
        {
            return -1;
        }

        if (real < -TwoTo63)
        {
            return 1;
        }

        // |real| < 2^63 here, so its integral part converts to a long exactly.
        var truncated = Math.Truncate(real);
        var whole = (long)truncated;
        if (integer != whole)
        {
            return integer < whole ? -1 : 1;
        }

        var fraction = real - truncated;
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
    }

    /// <summary>The value as a long when it is an integer in range (−0.0 is 0), else null.</summary>
    internal static long? AsExactInteger(double real)
        => real >= -TwoTo63 && real < TwoTo63 && Math.Truncate(real) == real ? (long)real : null;

    /// <summary>Code point order of two strings (the order of their UTF-8 bytes).</summary>
    internal static int Compare(string left, string right)
    {
        var common = left.AsSpan().CommonPrefixLength(right);
        if (common == left.Length || common == right.Length)
        {
            return left.Length.CompareTo(right.Length);
        }

        return CodePointOrder(left[common]).CompareTo(CodePointOrder(right[common]));
    }

    internal static void Fill(ulong[] result, int slotCount, long[] values, long constant, int accepted)
        => FillSameKind(result, slotCount, values, constant, accepted);

    internal static void Fill(ulong[] result, int slotCount, long[] values, double constant, int accepted)
    {
        for (var w = 0; w < result.Length; w++)
        {
            var first = w << 6;
            var end = Math.Min(64, slotCount - first);
            ulong bits = 0;
            for (var j = 0; j < end; j++)
            {
                bits |= Bit(accepted, Compare(values[first + j], constant), j);
            }

            result[w] = bits;
        }
    }

    internal static void Fill(ulong[] result, int slotCount, double[] values, double constant, int accepted)
        => FillSameKind(result, slotCount, values, constant, accepted);

    internal static void Fill(ulong[] result, int slotCount, double[] values, long constant, int accepted)
    {
        for (var w = 0; w < result.Length; w++)
        {
            var first = w << 6;
            var end = Math.Min(64, slotCount - first);
            ulong bits = 0;
            for (var j = 0; j < end; j++)
            {
                bits |= Bit(accepted, -Compare(constant, values[first + j]), j);
            }

            result[w] = bits;
        }
    }

    internal static void Fill(ulong[] result, int slotCount, string?[] values, string constant, int accepted)
    {
        for (var slot = 0; slot < slotCount; slot++)
        {
            if (values[slot] is { } value)
            {
                result[slot >> 6] |= Bit(accepted, Math.Sign(Compare(value, constant)), slot & 63);
            }
        }
    }

    /// <summary>Equality (or, with <paramref name="negated"/>, inequality) of text, which is ordinal in any order.</summary>
    internal static void FillEqual(ulong[] result, int slotCount, string?[] values, string constant, bool negated)
    {
        for (var slot = 0; slot < slotCount; slot++)
        {
            if (values[slot] is { } value && string.Equals(value, constant, StringComparison.Ordinal) != negated)
            {
                result[slot >> 6] |= 1UL << slot;
            }
        }
    }

    /// <summary>
    /// A comparison of integers with an integer or reals with a real (never NaN: SQLite stores NaN as NULL, and a plan
    /// refuses a NaN constant), 64 slots per result word: whole words with vector compares (four or eight slots per
    /// instruction, their sign bits gathered into the word), the rest one slot at a time.
    /// </summary>
    private static void FillSameKind<T>(ulong[] result, int slotCount, T[] values, T constant, int accepted)
        where T : unmanaged, INumber<T>
    {
        var w = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var bound = Vector256.Create(constant);
            ref var first = ref MemoryMarshal.GetArrayDataReference(values);
            for (var whole = Math.Min(result.Length, slotCount >> 6); w < whole; w++)
            {
                ulong less = 0, greater = 0;
                for (var j = 0; j < 64; j += Vector256<T>.Count)
                {
                    var value = Vector256.LoadUnsafe(ref first, (nuint)((w << 6) + j));
                    less |= (ulong)Vector256.LessThan(value, bound).ExtractMostSignificantBits() << j;
                    greater |= (ulong)Vector256.GreaterThan(value, bound).ExtractMostSignificantBits() << j;
                }

                result[w] = ((accepted & 1) != 0 ? less : 0) | ((accepted & 2) != 0 ? ~(less | greater) : 0) | ((accepted & 4) != 0 ? greater : 0);
            }
        }

        for (; w < result.Length; w++)
        {
            var start = w << 6;
            var end = Math.Min(64, slotCount - start);
            ulong bits = 0;
            for (var j = 0; j < end; j++)
            {
                var value = values[start + j];
                bits |= Bit(accepted, (value > constant ? 1 : 0) - (value < constant ? 1 : 0), j);
            }

            result[w] = bits;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bit(int accepted, int sign, int position) => (ulong)((accepted >> (sign + 1)) & 1) << position;

    /// <summary>
    /// A UTF-16 unit mapped so that unit order is code point order where two strings first differ: surrogates
    /// (D800–DFFF, which encode U+10000 and above) move above U+E000–U+FFFF.
    /// </summary>
    private static int CodePointOrder(char unit) => unit >= 0xE000 ? unit - 0x800 : unit >= 0xD800 ? unit + 0x2000 : unit;
}
