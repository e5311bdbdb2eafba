using System.Collections;
using System.Linq.Expressions;
using System.Text.Json.Nodes;
using AgentKit.VectorStores.Qdrant.Mapping;
using AgentKit.VectorStores.Qdrant.Wire;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;

namespace AgentKit.VectorStores.Qdrant.Filters;

/// <summary>
/// Translates a LINQ predicate into a Qdrant filter: <c>==</c>/<c>!=</c> (match value, or is_null for null, has_id
/// for the key), <c>&lt; &lt;= &gt; &gt;=</c> (range; RFC 3339 bounds for dates), <c>&amp;&amp;</c> (must),
/// <c>||</c> (should), <c>!</c> (must_not), <c>list.Contains(field)</c> (match any), <c>field.Contains(value)</c> on
/// a collection (match value) and <c>text.Contains(word)</c> on a full-text property (match text). Anything else
/// throws <see cref="NotSupportedException"/> naming the construct.
/// </summary>
internal sealed class QdrantFilterTranslator : FilterTranslatorBase
{
    public QdrantFilter Translate(LambdaExpression filter, CollectionModel model)
    {
        var body = PreprocessFilter(filter, model, new FilterPreprocessingOptions { SupportsParameterization = false });
        var condition = Translate(body);
        return IsPureFilter(condition) ? condition : new QdrantFilter { Must = [condition] };
    }

    private QdrantCondition Translate(Expression node) => node switch
    {
        BinaryExpression { NodeType: ExpressionType.AndAlso } and => Combine(Translate(and.Left), Translate(and.Right), all: true),
        BinaryExpression { NodeType: ExpressionType.OrElse } or => Combine(Translate(or.Left), Translate(or.Right), all: false),
        UnaryExpression { NodeType: ExpressionType.Not } not => Negate(Translate(not.Operand)),
        UnaryExpression { NodeType: ExpressionType.Convert } convert when convert.Type == typeof(bool) || Nullable.GetUnderlyingType(convert.Type) == convert.Operand.Type
            => Translate(convert.Operand),
        BinaryExpression { NodeType: ExpressionType.Equal } equal => Equality(equal),
        BinaryExpression { NodeType: ExpressionType.NotEqual } notEqual => Negate(Equality(notEqual)),
        BinaryExpression { NodeType: ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } comparison
            => Comparison(comparison),
        MethodCallExpression call => MethodCall(call),
        _ when node.Type == typeof(bool) && TryBindProperty(node, out var property) => Match(property, true),
        _ => throw Unsupported(node, $"the {node.NodeType} expression"),
    };

    private QdrantCondition Equality(BinaryExpression equal)
    {
        var (property, value) = PropertyAndConstant(equal)
            ?? throw Unsupported(equal, "an equality that does not compare a record property with a value");
        if (property is KeyPropertyModel)
        {
            return value is null ? throw Unsupported(equal, "comparing the key with null") : new QdrantCondition { HasId = [QdrantPointId.FromKey(value)] };
        }

        return value switch
        {
            null => new QdrantCondition { IsNull = new PayloadField { Key = property.StorageName } },
            string or int or long or bool => Match(property, value),
            Guid g => Match(property, g.ToString("D")),
            Enum => throw Unsupported(equal, "comparing an enum (store it as int or string)"),
            _ when IsNonFinite(value) => throw Unsupported(equal, "comparing with NaN or infinity; Qdrant ranges take finite numbers (JSON has no NaN)"),
            float or double => new QdrantCondition { Key = property.StorageName, Range = new QdrantRange { Gte = ToNumber(value), Lte = ToNumber(value) } },
            DateTime or DateTimeOffset => new QdrantCondition { Key = property.StorageName, Range = new QdrantRange { Gte = ToDate(value), Lte = ToDate(value) } },
            _ => throw Unsupported(equal, $"equality on a {value.GetType().Name} value"),
        };
    }

    private QdrantCondition Comparison(BinaryExpression comparison)
    {
        var operands = PropertyAndConstant(comparison)
            ?? throw Unsupported(comparison, "a comparison that does not compare a record property with a value");
        var (property, value) = operands;
        var op = comparison.NodeType;
        if (!TryBindProperty(comparison.Left, out _))
        {
            // value < property  ≡  property > value
            op = op switch
            {
                ExpressionType.LessThan => ExpressionType.GreaterThan,
                ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
                ExpressionType.GreaterThan => ExpressionType.LessThan,
                _ => ExpressionType.LessThanOrEqual,
            };
        }

        JsonNode bound = value switch
        {
            _ when IsNonFinite(value) => throw Unsupported(comparison, "comparing with NaN or infinity; Qdrant ranges take finite numbers (JSON has no NaN)"),
            int or long or float or double => ToNumber(value),
            DateTime or DateTimeOffset => ToDate(value),
            _ => throw Unsupported(comparison, $"ordering comparison ({op}) on {value?.GetType().Name ?? "null"}; Qdrant ranges take numbers and dates"),
        };

        var range = new QdrantRange();
        switch (op)
        {
            case ExpressionType.GreaterThan: range.Gt = bound; break;
            case ExpressionType.GreaterThanOrEqual: range.Gte = bound; break;
            case ExpressionType.LessThan: range.Lt = bound; break;
            default: range.Lte = bound; break;
        }

        return new QdrantCondition { Key = property.StorageName, Range = range };
    }

    private QdrantCondition MethodCall(MethodCallExpression call)
    {
        if (call.Method.DeclaringType == typeof(string) && call.Method.Name == nameof(string.Contains) && call.Object is { } text)
        {
            if (!TryBindProperty(text, out var property) || call.Arguments.Count != 1 || Constant(call.Arguments[0]) is not string word)
            {
                throw Unsupported(call, "string.Contains other than property.Contains(\"text\")");
            }

            if (property is not DataPropertyModel { IsFullTextIndexed: true })
            {
                throw Unsupported(call, $"string.Contains on '{property.ModelName}', which is not full-text indexed (mark it [VectorStoreData(IsFullTextIndexed = true)])");
            }

            return new QdrantCondition { Key = property.StorageName, Match = new QdrantMatch { Text = word } };
        }

        if (TryMatchContains(call, out var source, out var item))
        {
            if (TryBindProperty(source, out var collection))
            {
                var element = Constant(item) ?? throw Unsupported(call, "Contains on a collection property with a value that is not constant or null");
                return Match(collection, element is Guid g ? g.ToString("D") : element);
            }

            if (TryBindProperty(item, out var property) && Values(source) is { } values)
            {
                return AnyOf(call, property, values);
            }

            throw Unsupported(call, "Contains other than collectionProperty.Contains(value) or values.Contains(property)");
        }

        throw Unsupported(call, $"the method {call.Method.DeclaringType?.Name}.{call.Method.Name}");
    }

    private static QdrantCondition AnyOf(MethodCallExpression call, PropertyModel property, IEnumerable values)
    {
        var items = values.Cast<object?>().ToList();
        if (property is KeyPropertyModel)
        {
            return new QdrantCondition { HasId = [.. items.Select(v => QdrantPointId.FromKey(v!))] };
        }

        var any = new JsonArray();
        foreach (var value in items.Distinct())
        {
            any.Add(value switch
            {
                string s => JsonValue.Create(s),
                Guid g => JsonValue.Create(g.ToString("D")),
                int i => JsonValue.Create((long)i),
                long l => JsonValue.Create(l),
                _ => throw Unsupported(call, $"Contains over values of type {value?.GetType().Name ?? "null"}; Qdrant's match any takes strings or integers"),
            });
        }

        return new QdrantCondition { Key = property.StorageName, Match = new QdrantMatch { Any = any } };
    }

    private static QdrantCondition Match(PropertyModel property, object value) => new()
    {
        Key = property.StorageName,
        Match = new QdrantMatch
        {
            Value = value switch
            {
                string s => JsonValue.Create(s),
                int i => JsonValue.Create((long)i),
                long l => JsonValue.Create(l),
                bool b => JsonValue.Create(b),
                _ => throw new NotSupportedException($"Qdrant matches strings, integers and booleans exactly; '{property.ModelName}' was compared with {value.GetType().Name}."),
            },
        },
    };

    private (PropertyModel Property, object? Value)? PropertyAndConstant(BinaryExpression binary)
    {
        if (TryBindProperty(binary.Left, out var left) && IsConstant(binary.Right))
        {
            return (left, Constant(binary.Right));
        }

        if (TryBindProperty(binary.Right, out var right) && IsConstant(binary.Left))
        {
            return (right, Constant(binary.Left));
        }

        return null;
    }

    /// <summary>The values of an inline list: a constant, a constant array literal, or either behind a span conversion.</summary>
    private static IEnumerable? Values(Expression expression) => Unwrap(expression) switch
    {
        ConstantExpression { Value: IEnumerable values and not string } => values,
        NewArrayExpression array when array.Expressions.All(IsConstant) => array.Expressions.Select(Constant).ToList(),
        MethodCallExpression { Method.Name: "op_Implicit", Arguments: [var inner] } => Values(inner),
        _ => null,
    };

    private static bool IsConstant(Expression expression) => Unwrap(expression) is ConstantExpression;

    private static object? Constant(Expression expression) => Unwrap(expression) is ConstantExpression { Value: var value } ? value : null;

    private static Expression Unwrap(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            expression = convert.Operand;
        }

        return expression;
    }

    private static bool IsNonFinite(object? value) => value is double d && !double.IsFinite(d) || value is float f && !float.IsFinite(f);

    private static JsonValue ToNumber(object? value) => JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));

    private static JsonValue ToDate(object? value) => JsonValue.Create(value switch
    {
        DateTime dt => QdrantPayload.Rfc3339(dt),
        DateTimeOffset dto => QdrantPayload.Rfc3339(dto),
        _ => throw new InvalidOperationException("Not a date."),
    });

    private static QdrantCondition Combine(QdrantCondition left, QdrantCondition right, bool all)
    {
        var first = new List<QdrantCondition>();
        var negated = new List<QdrantCondition>();
        foreach (var side in new[] { left, right })
        {
            // A nested filter of the same kind is flattened into this one: (a && !b) && c → must [a, c], must_not [b].
            if (all && IsPureFilter(side) && side.Should is null)
            {
                first.AddRange(side.Must ?? []);
                negated.AddRange(side.MustNot ?? []);
            }
            else if (!all && IsPureFilter(side) && side is { Must: null, MustNot: null, Should: not null })
            {
                first.AddRange(side.Should);
            }
            else
            {
                first.Add(side);
            }
        }

        return all
            ? new QdrantCondition { Must = first.Count == 0 ? null : first, MustNot = negated.Count == 0 ? null : negated }
            : new QdrantCondition { Should = first };
    }

    private static QdrantCondition Negate(QdrantCondition condition) =>
        IsPureFilter(condition) && condition is { Must: null, Should: null, MustNot: [var single] }
            ? single
            : new QdrantCondition { MustNot = [condition] };

    /// <summary>A condition that is only a nested filter (no field, is_null or has_id part).</summary>
    private static bool IsPureFilter(QdrantCondition condition) =>
        condition.Key is null && condition.IsNull is null && condition.HasId is null;

    private static NotSupportedException Unsupported(Expression node, string construct) =>
        new($"Qdrant filters do not support {construct} (in '{node}').");
}
