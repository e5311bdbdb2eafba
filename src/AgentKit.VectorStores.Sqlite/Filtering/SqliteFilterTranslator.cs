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
internal sealed record SqlFilter(string Sql, IReadOnlyList<object> Parameters);

/// <summary>
/// Translates a LINQ filter (<c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&amp;&amp;</c>,
/// <c>||</c>, <c>!</c>, <c>string.Contains</c>, <c>Contains</c> on a collection property or on a captured or inline
/// collection, boolean properties, constants and captured variables) into a SQL condition whose values are all
/// parameters. Any other construct throws a <see cref="NotSupportedException"/> that names it.
/// Comparisons keep C# semantics for nulls: <c>x != v</c> holds for a null <c>x</c>, and <c>!</c> treats an unknown
/// (null) comparison as false before negating it.
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
        translator.TranslatePredicate(body);
        return new SqlFilter(translator._sql.ToString(), translator._parameters);
    }

    private void TranslatePredicate(Expression node)
    {
        switch (node)
        {
            case ConstantExpression { Value: bool constant }:
                _sql.Append(constant ? "1" : "0");
                return;
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logical:
                _sql.Append('(');
                TranslatePredicate(logical.Left);
                _sql.Append(logical.NodeType == ExpressionType.AndAlso ? " AND " : " OR ");
                TranslatePredicate(logical.Right);
                _sql.Append(')');
                return;
            case UnaryExpression { NodeType: ExpressionType.Not } not:
                _sql.Append("(NOT coalesce(");
                TranslatePredicate(not.Operand);
                _sql.Append(", 0))");
                return;
            case BinaryExpression comparison:
                TranslateComparison(comparison);
                return;
            case MethodCallExpression call when !TryBindColumn(call, out _):
                TranslateMethodCall(call);
                return;
            default:
                if (node.Type == typeof(bool) && TryBindColumn(node, out var property))
                {
                    _sql.Append('(');
                    AppendColumn(property);
                    _sql.Append(" = 1)");
                    return;
                }

                throw Unsupported(node);
        }
    }

    private void TranslateComparison(BinaryExpression comparison)
    {
        var left = comparison.Left;
        var right = comparison.Right;
        if (comparison.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && (IsNull(left) || IsNull(right)))
        {
            _sql.Append('(');
            TranslateOperand(IsNull(left) ? right : left);
            _sql.Append(comparison.NodeType == ExpressionType.Equal ? " IS NULL)" : " IS NOT NULL)");
            return;
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
        TranslateOperand(left);
        _sql.Append(op);
        TranslateOperand(right);
        _sql.Append(')');
    }

    private void TranslateOperand(Expression node)
    {
        if (TryBindColumn(node, out var property))
        {
            AppendColumn(property);
            return;
        }

        switch (node)
        {
            case ConstantExpression constant:
                AppendParameter(constant.Value);
                return;
            case QueryParameterExpression parameter:
                AppendParameter(parameter.Value);
                return;
            case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert when IsValueConversion(convert):
                TranslateOperand(convert.Operand);
                return;
            default:
                throw Unsupported(node);
        }
    }

    private void TranslateMethodCall(MethodCallExpression call)
    {
        if (call.Method.DeclaringType == typeof(string) && call.Method.Name == nameof(string.Contains)
            && call.Object is { } text && call.Arguments is [var fragment] && fragment.Type == typeof(string))
        {
            _sql.Append("(instr(");
            TranslateOperand(text);
            _sql.Append(", ");
            TranslateOperand(fragment);
            _sql.Append(") > 0)");
            return;
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
            return;
        }

        switch (source)
        {
            case NewArrayExpression array:
                if (array.Expressions.Count == 0)
                {
                    _sql.Append('0');
                    return;
                }

                _sql.Append('(');
                TranslateOperand(item);
                _sql.Append(" IN (");
                for (var i = 0; i < array.Expressions.Count; i++)
                {
                    _sql.Append(i == 0 ? "" : ", ");
                    TranslateOperand(array.Expressions[i]);
                }

                _sql.Append("))");
                return;
            case QueryParameterExpression { Value: IEnumerable values }:
                AppendInCollection(item, values);
                return;
            case ConstantExpression { Value: IEnumerable values }:
                AppendInCollection(item, values);
                return;
            default:
                throw Unsupported(call);
        }
    }

    private void AppendInCollection(Expression item, IEnumerable values)
    {
        _sql.Append('(');
        TranslateOperand(item);
        _sql.Append(" IN (SELECT value FROM json_each(");
        var elements = values.Cast<object?>().Select(v => v is null ? null : SqliteValueConverter.ToDb(v)).Select(v => v is DBNull ? null : v);
        AppendRawParameter(JsonSerializer.Serialize(elements));
        _sql.Append(")))");
    }

    private bool TryBindColumn(Expression node, out PropertyModel property)
    {
        while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            node = convert.Operand;
        }

        return TryBindProperty(node, out property!);
    }

    private void AppendColumn(PropertyModel property)
        => _sql.Append(_tableAlias).Append('.').Append(CollectionSchema.Quote(property.StorageName));

    private void AppendParameter(object? value)
    {
        if (value is null)
        {
            _sql.Append("NULL");
            return;
        }

        AppendRawParameter(SqliteValueConverter.ToDb(value));
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

    private static NotSupportedException Unsupported(Expression node)
        => new($"The filter construct '{node}' ({node.NodeType}) is not supported by the SQLite vector store. Supported: {Supported}.");
}
