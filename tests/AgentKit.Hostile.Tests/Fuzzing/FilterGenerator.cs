using System.Linq.Expressions;
using System.Reflection;
using AgentKit.VectorStores.Qdrant.Tests;

namespace AgentKit.Hostile.Tests.Fuzzing;

/// <summary>Random LINQ filter trees over <see cref="Hotel"/>: supported shapes, unsupported ones, and odd operands (NaN, extremes, strings with quotes and control characters).</summary>
internal static class FilterGenerator
{
    private static readonly ParameterExpression H = Expression.Parameter(typeof(Hotel), "h");
    private static readonly string[] Strings = ["", "Sea", "quote\"d", "back\\slash", "line\nbreak", "\u0000nul", "ünï©ødé", new string('x', 300)];
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
    private static readonly MethodInfo ListContains = typeof(List<string>).GetMethod(nameof(List<string>.Contains))!;
    private static readonly MethodInfo EnumerableContains = typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2);

    public static Expression<Func<Hotel, bool>> Generate(Random random) => Expression.Lambda<Func<Hotel, bool>>(Node(random, 0), H);

    private static Expression Node(Random random, int depth)
    {
        if (depth < 5 && random.Next(3) == 0)
        {
            return random.Next(3) switch
            {
                0 => Expression.AndAlso(Node(random, depth + 1), Node(random, depth + 1)),
                1 => Expression.OrElse(Node(random, depth + 1), Node(random, depth + 1)),
                _ => Expression.Not(Node(random, depth + 1)),
            };
        }

        return Leaf(random);
    }

    private static MemberExpression P(string name) => Expression.Property(H, name);

    private static Expression Leaf(Random random)
    {
        string S() => Strings[random.Next(Strings.Length)];
        var compare = new Func<Expression, Expression, BinaryExpression>[] { Expression.Equal, Expression.NotEqual, Expression.LessThan, Expression.LessThanOrEqual, Expression.GreaterThan, Expression.GreaterThanOrEqual }[random.Next(6)];
        var flip = random.Next(2) == 0;
        BinaryExpression Cmp(Expression a, Expression b) => flip ? compare(b, a) : compare(a, b);
        switch (random.Next(14))
        {
            case 0: return Expression.Equal(P("Name"), Expression.Constant(S()));
            case 1: return Expression.NotEqual(P("City"), Expression.Constant(random.Next(2) == 0 ? null : S(), typeof(string)));
            case 2: return Cmp(P("Rating"), Expression.Constant(new[] { 0, -1, int.MaxValue, int.MinValue, 5 }[random.Next(5)]));
            case 3: return Cmp(P("Price"), Expression.Constant(new[] { 0.5, double.NaN, double.PositiveInfinity, double.MaxValue, -0.0 }[random.Next(5)]));
            case 4: return P("Open");
            case 5: return Expression.Equal(P("Open"), Expression.Constant(random.Next(2) == 0));
            case 6: return Cmp(P("Opened"), Expression.Constant(new[] { DateTimeOffset.MinValue, DateTimeOffset.MaxValue, new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(5)) }[random.Next(3)]));
            case 7: return Expression.Call(P("Tags"), ListContains, Expression.Constant(S()));
            case 8: return Expression.Call(P("Description"), StringContains, Expression.Constant(S()));
            case 9: return Expression.Call(EnumerableContains.MakeGenericMethod(typeof(string)), Expression.Constant(Enumerable.Range(0, random.Next(0, 4)).Select(_ => S()).ToArray()), P("Name"));
            case 10: return Cmp(P("Id"), Expression.Constant(new ulong[] { 0, 42, ulong.MaxValue }[random.Next(3)]));
            // Shapes the translator does not support: it must say so with NotSupportedException.
            case 11: return Expression.Call(P("Name"), StartsWith, Expression.Constant(S()));
            case 12: return Expression.Equal(P("Name"), P("City"));
            default: return Cmp(Expression.Property(P("Name"), "Length"), Expression.Constant(3));
        }
    }
}
