using AgentKit.VectorStores.Sqlite.Search;

namespace AgentKit.VectorStores.Sqlite.Filtering;

/// <summary>A comparison of a column with a value, as the translated SQL writes it (the column on the left).</summary>
internal enum PlanComparison
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>IS NOT</c>: null-safe, so a NULL column value passes.</summary>
    IsNot,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
}

/// <summary>
/// A filter evaluated in memory over the indexed scalar columns kept beside a vector cache, node for node the SQL
/// condition the translator writes. Only the set of slots where the SQL condition is TRUE matters: the
/// translator's NOT is <c>NOT coalesce(x, 0)</c>, so under SQL's three-valued logic every node's TRUE set composes
/// with bitmap AND, OR and complement. Values are in SQLite form (<see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>), exactly the SQL parameters.
/// </summary>
internal abstract class FilterPlan
{
    /// <summary>
    /// The slots below <paramref name="slotCount"/> where the condition is true, as bitmap words (bits of dead
    /// slots and beyond <paramref name="slotCount"/> are meaningless: mask them with the live slots); null when a
    /// column is not kept or not available, or a value's storage class is not the column's (SQLite would convert
    /// it by the column's affinity): the filter then runs in SQL.
    /// </summary>
    internal abstract ulong[]? Evaluate(ScalarColumns columns, int slotCount);

    /// <summary>The storage class a value is compared as: numbers with numbers, text with text.</summary>
    private protected static bool Matches(ScalarKind kind, object value) => kind switch
    {
        ScalarKind.Empty => true,
        ScalarKind.Integer or ScalarKind.Real => value is long or double,
        ScalarKind.Text => value is string,
        _ => false,
    };

    /// <summary>The column when it is kept and available.</summary>
    private protected static ScalarColumn? Available(ScalarColumns columns, string name)
        => columns.Find(name) is { Kind: not ScalarKind.Unavailable } column ? column : null;

    private protected static ulong[] Words(int slotCount) => new ulong[SlotBitmap.WordsFor(slotCount)];

    internal sealed class And(FilterPlan left, FilterPlan right) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (left.Evaluate(columns, slotCount) is not { } result || right.Evaluate(columns, slotCount) is not { } other)
            {
                return null;
            }

            for (var w = 0; w < result.Length; w++)
            {
                result[w] &= other[w];
            }

            return result;
        }
    }

    internal sealed class Or(FilterPlan left, FilterPlan right) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (left.Evaluate(columns, slotCount) is not { } result || right.Evaluate(columns, slotCount) is not { } other)
            {
                return null;
            }

            for (var w = 0; w < result.Length; w++)
            {
                result[w] |= other[w];
            }

            return result;
        }
    }

    /// <summary><c>NOT coalesce(x, 0)</c>: true wherever <c>x</c> is not true (false or unknown).</summary>
    internal sealed class Not(FilterPlan operand) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (operand.Evaluate(columns, slotCount) is not { } result)
            {
                return null;
            }

            for (var w = 0; w < result.Length; w++)
            {
                result[w] = ~result[w];
            }

            return result;
        }
    }

    internal sealed class Constant(bool value) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            var result = Words(slotCount);
            if (value)
            {
                Array.Fill(result, ulong.MaxValue);
            }

            return result;
        }
    }

    /// <summary><c>column IS NULL</c> or <c>column IS NOT NULL</c>.</summary>
    internal sealed class IsNull(string column, bool negated) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (Available(columns, column) is not { } values)
            {
                return null;
            }

            var result = Words(slotCount);
            var present = values.Present.Words;
            for (var w = 0; w < result.Length; w++)
            {
                var word = w < present.Length ? present[w] : 0;
                result[w] = negated ? word : ~word;
            }

            return result;
        }
    }

    /// <summary><c>column op value</c>; a NULL column value makes it unknown, except for <c>IS NOT</c>, where it passes.</summary>
    internal sealed class Compare(string column, PlanComparison comparison, object value) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (Available(columns, column) is not { } values || !Matches(values.Kind, value))
            {
                return null;
            }

            // Which orders pass, as bits: 1 for less, 2 for equal, 4 for greater than the value.
            var accepted = comparison switch
            {
                PlanComparison.Equal => 2,
                PlanComparison.IsNot => 5,
                PlanComparison.Less => 1,
                PlanComparison.LessOrEqual => 3,
                PlanComparison.Greater => 4,
                _ => 6,
            };
            var result = Words(slotCount);
            switch (values.Kind)
            {
                case ScalarKind.Integer when value is long integer:
                    SqliteOrder.Fill(result, slotCount, values.Integers, integer, accepted);
                    break;
                case ScalarKind.Integer:
                    SqliteOrder.Fill(result, slotCount, values.Integers, (double)value, accepted);
                    break;
                case ScalarKind.Real when value is double real:
                    SqliteOrder.Fill(result, slotCount, values.Reals, real, accepted);
                    break;
                case ScalarKind.Real:
                    SqliteOrder.Fill(result, slotCount, values.Reals, (long)value, accepted);
                    break;
                case ScalarKind.Text when comparison is PlanComparison.Equal or PlanComparison.IsNot:
                    SqliteOrder.FillEqual(result, slotCount, values.Texts, (string)value, comparison == PlanComparison.IsNot);
                    break;
                case ScalarKind.Text:
                    SqliteOrder.Fill(result, slotCount, values.Texts, (string)value, accepted);
                    break;
            }

            var present = values.Present.Words;
            for (var w = 0; w < result.Length; w++)
            {
                var word = w < present.Length ? present[w] : 0;
                result[w] = comparison == PlanComparison.IsNot ? (result[w] & word) | ~word : result[w] & word;
            }

            return result;
        }
    }

    /// <summary><c>column IN (values)</c>, the values without NULLs (a NULL element only adds unknowns).</summary>
    internal sealed class In(string column, IReadOnlyList<object> values) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (Available(columns, column) is not { } data || !values.All(v => Matches(data.Kind, v)))
            {
                return null;
            }

            var result = Words(slotCount);
            if (values.Count == 0 || data.Kind == ScalarKind.Empty)
            {
                return result;
            }

            var present = data.Present;
            switch (data.Kind)
            {
                case ScalarKind.Text:
                    var texts = new HashSet<string>(values.Cast<string>(), StringComparer.Ordinal);
                    var textValues = data.Texts;
                    for (var slot = 0; slot < slotCount; slot++)
                    {
                        if (present.Contains(slot) && texts.Contains(textValues[slot]!))
                        {
                            result[slot >> 6] |= 1UL << slot;
                        }
                    }

                    break;
                default:
                    // A number equals an element when both are the same integer, or the same non-integral real.
                    var integers = new HashSet<long>();
                    var reals = new HashSet<double>();
                    foreach (var element in values)
                    {
                        if (element is long integer)
                        {
                            integers.Add(integer);
                        }
                        else if (SqliteOrder.AsExactInteger((double)element) is { } exact)
                        {
                            integers.Add(exact);
                        }
                        else
                        {
                            reals.Add((double)element);
                        }
                    }

                    for (var slot = 0; slot < slotCount; slot++)
                    {
                        if (!present.Contains(slot))
                        {
                            continue;
                        }

                        var hit = data.Kind == ScalarKind.Integer
                            ? integers.Contains(data.Integers[slot])
                            : SqliteOrder.AsExactInteger(data.Reals[slot]) is { } exact ? integers.Contains(exact) : reals.Contains(data.Reals[slot]);
                        if (hit)
                        {
                            result[slot >> 6] |= 1UL << slot;
                        }
                    }

                    break;
            }

            return result;
        }
    }

    /// <summary><c>instr(column, fragment) &gt; 0</c>: the text contains the fragment (ordinal; an empty fragment is in every text).</summary>
    internal sealed class ContainsText(string column, string fragment) : FilterPlan
    {
        internal override ulong[]? Evaluate(ScalarColumns columns, int slotCount)
        {
            if (Available(columns, column) is not { } data || !Matches(data.Kind, fragment))
            {
                return null;
            }

            var result = Words(slotCount);
            if (data.Kind == ScalarKind.Empty)
            {
                return result;
            }

            var present = data.Present;
            var texts = data.Texts;
            for (var slot = 0; slot < slotCount; slot++)
            {
                if (present.Contains(slot) && texts[slot]!.Contains(fragment, StringComparison.Ordinal))
                {
                    result[slot >> 6] |= 1UL << slot;
                }
            }

            return result;
        }
    }
}
