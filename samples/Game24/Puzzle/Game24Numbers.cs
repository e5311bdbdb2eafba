namespace Game24.Puzzle;

/// <summary>Helpers for lists of Game of 24 numbers.</summary>
internal static class Game24Numbers
{
    public static string Format(IEnumerable<Rational> numbers) => string.Join(' ', numbers);

    public static List<Rational> Sorted(IEnumerable<Rational> numbers) => [.. numbers.Order()];

    public static bool TryParse(string text, out List<Rational> numbers)
    {
        numbers = [];
        foreach (var token in text.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Rational.TryParse(token, out var value))
            {
                return false;
            }

            numbers.Add(value);
        }

        return numbers.Count > 0;
    }

    public static Rational? Apply(Rational a, char op, Rational b) => op switch
    {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        '/' when !b.IsZero => a / b,
        _ => null,
    };
}
