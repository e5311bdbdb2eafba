using System.Collections;
using System.Linq.Expressions;
using AgentKit.VectorStores.Qdrant.Mapping;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;
using Qdrant.Client.Grpc;
using Expression = System.Linq.Expressions.Expression;
using Range = Qdrant.Client.Grpc.Range;

namespace AgentKit.VectorStores.Qdrant.Filters;

/// <summary>
/// Translates a LINQ predicate into a Qdrant <see cref="Filter"/>: <c>==</c>/<c>!=</c> (match keyword, integer or
/// boolean; is_null for null; has_id for the key), <c>&lt; &lt;= &gt; &gt;=</c> (range, or datetime range for
/// dates), <c>&amp;&amp;</c> (must), <c>||</c> (should), <c>!</c> (must_not), <c>list.Contains(field)</c> (match
/// keywords or integers), <c>field.Contains(value)</c> on a collection (match value) and <c>text.Contains(word)</c>
/// on a full-text property (match text). Anything else throws <see cref="NotSupportedException"/> naming the construct.
/// </summary>
internal sealed class QdrantFilterTranslator : FilterTranslatorBase
{
    public Filter Translate(LambdaExpression filter, CollectionModel model)
    {
        var body = PreprocessFilter(filter, model, new FilterPreprocessingOptions { SupportsParameterization = false });
        var condition = Translate(body);
        return IsPureFilter(condition) ? condition.Filter : new Filter { Must = { condition } };
    }

    private Condition Translate(Expression node) => node switch
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

    private Condition Equality(BinaryExpression equal)
    {
        var (property, value) = PropertyAndConstant(equal)
            ?? throw Unsupported(equal, "an equality that does not compare a record property with a value");
        if (property is KeyPropertyModel)
        {
            return value is null ? throw Unsupported(equal, "comparing the key with null") : HasId([value]);
        }

        return value switch
        {
            null => new Condition { IsNull = new IsNullCondition { Key = property.StorageName } },
            string or int or long or bool => Match(property, value),
            Guid g => Match(property, g.ToString("D")),
            System.Enum => throw Unsupported(equal, "comparing an enum (store it as int or string)"),
            _ when IsNonFinite(value) => throw Unsupported(equal, "comparing with NaN or infinity; Qdrant ranges take finite numbers"),
            float or double => Field(property, new FieldCondition { Range = new Range { Gte = ToNumber(value), Lte = ToNumber(value) } }),
            DateTime or DateTimeOffset => Field(property, new FieldCondition { DatetimeRange = new DatetimeRange { Gte = ToTimestamp(value), Lte = ToTimestamp(value) } }),
            _ => throw Unsupported(equal, $"equality on a {value.GetType().Name} value"),
        };
    }

    private Condition Comparison(BinaryExpression comparison)
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

        switch (value)
        {
            case var _ when IsNonFinite(value):
                throw Unsupported(comparison, "comparing with NaN or infinity; Qdrant ranges take finite numbers");
            case int or long or float or double:
                var bound = ToNumber(value);
                var range = new Range();
                switch (op)
                {
                    case ExpressionType.GreaterThan: range.Gt = bound; break;
                    case ExpressionType.GreaterThanOrEqual: range.Gte = bound; break;
                    case ExpressionType.LessThan: range.Lt = bound; break;
                    default: range.Lte = bound; break;
                }

                return Field(property, new FieldCondition { Range = range });
            case DateTime or DateTimeOffset:
                var instant = ToTimestamp(value);
                var dates = new DatetimeRange();
                switch (op)
                {
                    case ExpressionType.GreaterThan: dates.Gt = instant; break;
                    case ExpressionType.GreaterThanOrEqual: dates.Gte = instant; break;
                    case ExpressionType.LessThan: dates.Lt = instant; break;
                    default: dates.Lte = instant; break;
                }

                return Field(property, new FieldCondition { DatetimeRange = dates });
            default:
                throw Unsupported(comparison, $"ordering comparison ({op}) on {value?.GetType().Name ?? "null"}; Qdrant ranges take numbers and dates");
        }
    }

    private Condition MethodCall(MethodCallExpression call)
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

            return Field(property, new FieldCondition { Match = new Match { Text = word } });
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

    private static Condition AnyOf(MethodCallExpression call, PropertyModel property, IEnumerable values)
    {
        var items = values.Cast<object?>().Distinct().ToList();
        if (items.Count == 0)
        {
            // Found by the fuzzer: an empty match (or has_id) list is not a condition Qdrant takes.
            throw Unsupported(call, "Contains over an empty list (leave the condition out instead)");
        }

        if (property is KeyPropertyModel)
        {
            return HasId(items);
        }

        if (items.All(v => v is string or Guid))
        {
            return Field(property, new FieldCondition { Match = new Match { Keywords = new RepeatedStrings { Strings = { items.Select(v => v is Guid g ? g.ToString("D") : (string)v!) } } } });
        }

        if (items.All(v => v is int or long))
        {
            return Field(property, new FieldCondition { Match = new Match { Integers = new RepeatedIntegers { Integers = { items.Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)) } } } });
        }

        var other = items.First(v => v is not (string or Guid or int or long));
        throw Unsupported(call, $"Contains over values of type {other?.GetType().Name ?? "null"}; Qdrant's match any takes strings or integers");
    }

    private static Condition HasId(IEnumerable<object?> keys)
    {
        var condition = new HasIdCondition();
        condition.HasId.AddRange(keys.Select(QdrantPointIds.FromKey));
        return new Condition { HasId = condition };
    }

    private static Condition Match(PropertyModel property, object value) => Field(property, new FieldCondition
    {
        Match = value switch
        {
            string s => new Match { Keyword = s },
            int i => new Match { Integer = i },
            long l => new Match { Integer = l },
            bool b => new Match { Boolean = b },
            _ => throw new NotSupportedException($"Qdrant matches strings, integers and booleans exactly; '{property.ModelName}' was compared with {value.GetType().Name}."),
        },
    });

    private static Condition Field(PropertyModel property, FieldCondition condition)
    {
        condition.Key = property.StorageName;
        return new Condition { Field = condition };
    }

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

    private static double ToNumber(object? value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);

    private static Timestamp ToTimestamp(object? value) => Timestamp.FromDateTimeOffset(QdrantPayload.Instant(value!));

    private static Condition Combine(Condition left, Condition right, bool all)
    {
        var first = new List<Condition>();
        var negated = new List<Condition>();
        foreach (var side in new[] { left, right })
        {
            // A nested filter of the same kind is flattened into this one: (a && !b) && c → must [a, c], must_not [b].
            if (all && IsPureFilter(side) && side.Filter.Should.Count == 0)
            {
                first.AddRange(side.Filter.Must);
                negated.AddRange(side.Filter.MustNot);
            }
            else if (!all && IsPureFilter(side) && side.Filter is { Must.Count: 0, MustNot.Count: 0, Should.Count: > 0 })
            {
                first.AddRange(side.Filter.Should);
            }
            else
            {
                first.Add(side);
            }
        }

        var filter = new Filter();
        if (all)
        {
            filter.Must.AddRange(first);
            filter.MustNot.AddRange(negated);
        }
        else
        {
            filter.Should.AddRange(first);
        }

        return new Condition { Filter = filter };
    }

    private static Condition Negate(Condition condition) =>
        IsPureFilter(condition) && condition.Filter is { Must.Count: 0, Should.Count: 0, MustNot.Count: 1 }
            ? condition.Filter.MustNot[0]
            : new Condition { Filter = new Filter { MustNot = { condition } } };

    /// <summary>A condition that is only a nested filter.</summary>
    private static bool IsPureFilter(Condition condition) => condition.ConditionOneOfCase == Condition.ConditionOneOfOneofCase.Filter;

    private static NotSupportedException Unsupported(Expression node, string construct) =>
        new($"Qdrant filters do not support {construct} (in '{node}').");
}
