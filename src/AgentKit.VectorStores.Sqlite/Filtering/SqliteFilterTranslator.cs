using System.Collections;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using AgentKit.VectorStores.Sqlite.Schema;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;

namespace AgentKit.VectorStores.Sqlite.Filtering;

/// <summary>A filter translated to a parameterized SQL condition over the record table.</summary>
/// <param name="Sql">The condition, with parameters named <c>@f0</c>, <c>@f1</c>, …</param>
/// <param name="Parameters">The parameter values, in SQLite form.</param>
/// <param name="Plan">
/// The same condition for in-memory evaluation over the indexed scalar columns, when every node of it can be
/// evaluated there; null otherwise (the filter runs in SQL).
/// </param>
internal sealed record SqlFilter(string Sql, IReadOnlyList<object> Parameters, FilterPlan? Plan = null);

/// <summary>
/// Translates a LINQ filter (<c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&amp;&amp;</c>,
/// <c>||</c>, <c>!</c>, <c>string.Contains</c>, <c>Contains</c> on a collection property or on a captured or inline
/// collection, boolean properties, constants and captured variables) into a SQL condition whose values are all
/// parameters. Any other construct throws a <see cref="NotSupportedException"/> that names it.
/// Comparisons keep C# semantics for nulls: <c>x != v</c> holds for a null <c>x</c>, and <c>!</c> treats an unknown
/// (null) comparison as false before negating it.
/// The same walk builds the in-memory <see cref="FilterPlan"/> of the condition where every node allows one: a
/// comparison, <c>IN</c> or <c>instr</c> of an indexed scalar column (INTEGER, REAL or TEXT, not a JSON collection)
/// with a value, <c>IS NULL</c>, boolean columns, constants and the logical operators.
/// </summary>
internal sealed class SqliteFilterTranslator : FilterTranslatorBase
{
    private const string Supported =
        "==, !=, <, <=, >, >=, &&, ||, !, string.Contains, Contains on a collection property or on a captured or inline collection, boolean properties, constants and captured variables";

    private readonly StringBuilder _sql = new();
    private readonly List<object> _parameters = [];
    private readonly string _tableAlias;

    private SqliteFilterTranslator(string tableAlias) => _tableAlias = tableAlias;

    /// <summary>Translates <paramref name="filter"/>; columns are qualified with <paramref name="tableAlias"/>.</summary>
    internal static SqlFilter Translate(LambdaExpression filter, CollectionModel model, string tableAlias)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var translator = new SqliteFilterTranslator(tableAlias);
        var body = translator.PreprocessFilter(filter, model, new FilterPreprocessingOptions { SupportsParameterization = true });
        var plan = translator.TranslatePredicate(body);
        return new SqlFilter(translator._sql.ToString(), translator._parameters, plan);
    }

    /// <summary>Appends the SQL of a condition; returns its in-memory plan, null when it has none.</summary>
    private FilterPlan? TranslatePredicate(Expression node)
    {
        switch (node)
        {
            case ConstantExpression { Value: bool constant }:
                _sql.Append(constant ? "1" : "0");
                return new FilterPlan.Constant(constant);
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logical:
                _sql.Append('(');
                var left = TranslatePredicate(logical.Left);
                _sql.Append(logical.NodeType == ExpressionType.AndAlso ? " AND " : " OR ");
                var right = TranslatePredicate(logical.Right);
                _sql.Append(')');
                return left is null || right is null ? null
                    : logical.NodeType == ExpressionType.AndAlso ? new FilterPlan.And(left, right)
                    : new FilterPlan.Or(left, right);
            case UnaryExpression { NodeType: ExpressionType.Not } not:
                _sql.Append("(NOT coalesce(");
                var operand = TranslatePredicate(not.Operand);
                _sql.Append(", 0))");
                return operand is null ? null : new FilterPlan.Not(operand);
            case BinaryExpression comparison:
                return TranslateComparison(comparison);
            case MethodCallExpression call when !TryBindColumn(call, out _):
                return TranslateMethodCall(call);
            default:
                if (node.Type == typeof(bool) && TryBindColumn(node, out var property))
                {
                    _sql.Append('(');
                    var column = AppendColumn(property);
                    _sql.Append(" = 1)");
                    return column.PlanColumn is { } name ? new FilterPlan.Compare(name, PlanComparison.Equal, 1L) : null;
                }

                throw Unsupported(node);
        }
    }

    private FilterPlan? TranslateComparison(BinaryExpression comparison)
    {
        var left = comparison.Left;
        var right = comparison.Right;
        if (comparison.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && (IsNull(left) || IsNull(right)))
        {
            _sql.Append('(');
            var tested = TranslateOperand(IsNull(left) ? right : left);
            _sql.Append(comparison.NodeType == ExpressionType.Equal ? " IS NULL)" : " IS NOT NULL)");
            return tested.PlanColumn is { } testedColumn ? new FilterPlan.IsNull(testedColumn, negated: comparison.NodeType == ExpressionType.NotEqual) : null;
        }

        if (IsNaN(left) || IsNaN(right))
        {
            // NaN equals and orders with nothing in C# (only != holds), and SQLite cannot hold one: the comparison is a
            // constant. The other side is still translated, so an unsupported construct is refused as anywhere else.
            var (mark, parameters) = (_sql.Length, _parameters.Count);
            TranslateOperand(IsNaN(left) ? right : left);
            _sql.Length = mark;
            _parameters.RemoveRange(parameters, _parameters.Count - parameters);
            var holds = comparison.NodeType == ExpressionType.NotEqual;
            _sql.Append(holds ? '1' : '0');
            return new FilterPlan.Constant(holds);
        }

        var op = comparison.NodeType switch
        {
            ExpressionType.Equal => " = ",
            ExpressionType.NotEqual => " IS NOT ",
            ExpressionType.LessThan => " < ",
            ExpressionType.LessThanOrEqual => " <= ",
            ExpressionType.GreaterThan => " > ",
            ExpressionType.GreaterThanOrEqual => " >= ",
            _ => throw Unsupported(comparison),
        };
        _sql.Append('(');
        var first = TranslateOperand(left);
        _sql.Append(op);
        var second = TranslateOperand(right);
        _sql.Append(')');

        var (column, value, flipped) = first.IsColumn ? (first, second, false) : (second, first, true);
        if (column.PlanColumn is not { } name || value.IsColumn)
        {
            return null;
        }

        if (value.Value is null)
        {
            // A comparison with NULL is unknown for every row (IS NOT with a NULL parameter is IS NOT NULL).
            return comparison.NodeType == ExpressionType.NotEqual ? new FilterPlan.IsNull(name, negated: true) : new FilterPlan.Constant(false);
        }

        if (!CanPlan(value.Value))
        {
            return null;
        }

        var planned = comparison.NodeType switch
        {
            ExpressionType.Equal => PlanComparison.Equal,
            ExpressionType.NotEqual => PlanComparison.IsNot,
            ExpressionType.LessThan => flipped ? PlanComparison.Greater : PlanComparison.Less,
            ExpressionType.LessThanOrEqual => flipped ? PlanComparison.GreaterOrEqual : PlanComparison.LessOrEqual,
            ExpressionType.GreaterThan => flipped ? PlanComparison.Less : PlanComparison.Greater,
            _ => flipped ? PlanComparison.LessOrEqual : PlanComparison.GreaterOrEqual,
        };
        return new FilterPlan.Compare(name, planned, value.Value);
    }

    /// <summary>Appends a column or a parameter; returns what it is for the in-memory plan.</summary>
    private Operand TranslateOperand(Expression node)
    {
        if (TryBindColumn(node, out var property))
        {
            return AppendColumn(property);
        }

        switch (node)
        {
            case ConstantExpression constant:
                return AppendParameter(constant.Value);
            case QueryParameterExpression parameter:
                return AppendParameter(parameter.Value);
            case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert when IsValueConversion(convert):
                return TranslateOperand(convert.Operand);
            default:
                throw Unsupported(node);
        }
    }

    private FilterPlan? TranslateMethodCall(MethodCallExpression call)
    {
        if (call.Method.DeclaringType == typeof(string) && call.Method.Name == nameof(string.Contains)
            && call.Object is { } text && call.Arguments is [var fragment] && fragment.Type == typeof(string))
        {
            _sql.Append("(instr(");
            var haystack = TranslateOperand(text);
            _sql.Append(", ");
            var needle = TranslateOperand(fragment);
            _sql.Append(") > 0)");
            return haystack.PlanColumn is not { } name || needle.IsColumn ? null
                : needle.Value is null ? new FilterPlan.Constant(false)
                : needle.Value is string word && CanPlan(word) ? new FilterPlan.ContainsText(name, word)
                : null;
        }

        if (!TryMatchContains(call, out var source, out var item))
        {
            throw Unsupported(call);
        }

        if (TryBindColumn(source, out var collection))
        {
            _sql.Append("EXISTS (SELECT 1 FROM json_each(");
            AppendColumn(collection);
            _sql.Append(") WHERE value = ");
            TranslateOperand(item);
            _sql.Append(')');
            return null;
        }

        switch (source)
        {
            case NewArrayExpression array:
                if (array.Expressions.Count == 0)
                {
                    _sql.Append('0');
                    return new FilterPlan.Constant(false);
                }

                _sql.Append('(');
                var tested = TranslateOperand(item);
                _sql.Append(" IN (");
                var elements = new List<Operand>(array.Expressions.Count);
                for (var i = 0; i < array.Expressions.Count; i++)
                {
                    _sql.Append(i == 0 ? "" : ", ");
                    elements.Add(TranslateOperand(array.Expressions[i]));
                }

                _sql.Append("))");
                return tested.PlanColumn is { } name && elements.All(e => !e.IsColumn && (e.Value is null || CanPlan(e.Value)))
                    ? new FilterPlan.In(name, [.. elements.Where(e => e.Value is not null).Select(e => e.Value!)])
                    : null;
            case QueryParameterExpression { Value: IEnumerable values }:
                return AppendInCollection(item, values);
            case ConstantExpression { Value: IEnumerable values }:
                return AppendInCollection(item, values);
            default:
                throw Unsupported(call);
        }
    }

    private FilterPlan.In? AppendInCollection(Expression item, IEnumerable values)
    {
        _sql.Append('(');
        var tested = TranslateOperand(item);
        _sql.Append(" IN (SELECT value FROM json_each(");
        var elements = values.Cast<object?>().Select(v => v is null ? null : SqliteValueConverter.ToDb(v)).Select(v => v is DBNull ? null : v).ToList();
        AppendRawParameter(JsonList(elements));
        _sql.Append(")))");

        // SQLite reads the list back from JSON: integers and text arrive exactly, reals are parsed from their
        // shortest round-trip text, which this plan does not reproduce, so those lists stay in SQL.
        return tested.PlanColumn is { } name && elements.All(e => e is null || (e is not double && CanPlan(e)))
            ? new FilterPlan.In(name, [.. elements.OfType<object>()])
            : null;
    }

    /// <summary>
    /// A list of SQLite values as the JSON array <c>json_each</c> reads back: infinities written as <c>±9e999</c>, which
    /// SQLite parses to ±Inf (JSON has no infinity, and System.Text.Json refuses to write one), NaN as null (it equals
    /// no stored value: SQLite cannot store NaN).
    /// </summary>
    private static string JsonList(IEnumerable<object?> elements)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var element in elements)
            {
                switch (element)
                {
                    case null:
                    case double nan when double.IsNaN(nan):
                        writer.WriteNullValue();
                        break;
                    case double infinity when double.IsInfinity(infinity):
                        writer.WriteRawValue(infinity > 0 ? "9e999" : "-9e999", skipInputValidation: true);
                        break;
                    case double real:
                        writer.WriteNumberValue(real);
                        break;
                    case long integer:
                        writer.WriteNumberValue(integer);
                        break;
                    case string text:
                        writer.WriteStringValue(text);
                        break;
                    case byte[] bytes:
                        writer.WriteBase64StringValue(bytes);
                        break;
                    default:
                        throw new NotSupportedException($"A value of type '{element.GetType().Name}' cannot be compared in a filter list.");
                }
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Whether the operand is a constant or captured NaN (float or double), possibly converted.</summary>
    private static bool IsNaN(Expression node)
    {
        while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            node = convert.Operand;
        }

        var value = node switch
        {
            ConstantExpression constant => constant.Value,
            QueryParameterExpression parameter => parameter.Value,
            _ => null,
        };
        return IsNaNValue(value);
    }

    private static bool IsNaNValue(object? value) => value is double d && double.IsNaN(d) || value is float f && float.IsNaN(f);

    private bool TryBindColumn(Expression node, out PropertyModel property)
    {
        while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            node = convert.Operand;
        }

        return TryBindProperty(node, out property!);
    }

    private Operand AppendColumn(PropertyModel property)
    {
        _sql.Append(_tableAlias).Append('.').Append(CollectionSchema.Quote(property.StorageName));
        return new Operand(IsColumn: true, CollectionSchema.IsFilterColumn(property) ? property.StorageName : null, Value: null);
    }

    private Operand AppendParameter(object? value)
    {
        if (value is null)
        {
            _sql.Append("NULL");
            return new Operand(IsColumn: false, PlanColumn: null, Value: null);
        }

        if (IsNaNValue(value))
        {
            // SQLite cannot store or bind NaN; it equals no stored value, as NULL does in an IN list.
            _sql.Append("NULL");
            return new Operand(IsColumn: false, PlanColumn: null, Value: null);
        }

        var stored = SqliteValueConverter.ToDb(value);
        AppendRawParameter(stored);
        return new Operand(IsColumn: false, PlanColumn: null, Value: stored);
    }

    /// <summary>
    /// Whether an in-memory plan compares with this value exactly as SQL does: a number other than NaN (SQLite
    /// binds NaN as NULL) or text that is valid UTF-16 (a lone surrogate is bound as U+FFFD). BLOBs stay in SQL.
    /// </summary>
    private static bool CanPlan(object value) => value switch
    {
        long => true,
        double real => !double.IsNaN(real),
        string text => IsValidUtf16(text),
        _ => false,
    };

    private static bool IsValidUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private void AppendRawParameter(object value)
    {
        _sql.Append("@f").Append(_parameters.Count.ToString(CultureInfo.InvariantCulture));
        _parameters.Add(value);
    }

    private static bool IsNull(Expression node)
        => node is ConstantExpression { Value: null } or QueryParameterExpression { Value: null }
            || (node is UnaryExpression { NodeType: ExpressionType.Convert } convert && IsNull(convert.Operand));

    /// <summary>Conversions that do not change a value's meaning: to a nullable form, to object, or numeric widening.</summary>
    private static bool IsValueConversion(UnaryExpression convert)
    {
        var from = Nullable.GetUnderlyingType(convert.Operand.Type) ?? convert.Operand.Type;
        var to = Nullable.GetUnderlyingType(convert.Type) ?? convert.Type;
        return from == to || to == typeof(object) || (IsNumeric(from) && IsNumeric(to) && Width(to) >= Width(from));

        static bool IsNumeric(Type type) => type == typeof(byte) || type == typeof(short) || type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double);

        static int Width(Type type) => type == typeof(byte) ? 1 : type == typeof(short) ? 2 : type == typeof(int) ? 4 : type == typeof(float) ? 5 : 8;
    }

    /// <summary>A translated operand: a column (with its name when the in-memory plan can read it) or a value in SQLite form.</summary>
    private readonly record struct Operand(bool IsColumn, string? PlanColumn, object? Value);

    private static NotSupportedException Unsupported(Expression node)
        => new($"The filter construct '{node}' ({node.NodeType}) is not supported by the SQLite vector store. Supported: {Supported}.");
}
