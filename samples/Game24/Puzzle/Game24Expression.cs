namespace Game24.Puzzle;

/// <summary>Exact evaluation and checking of Game of 24 answers.</summary>
public static class Game24Expression
{
    /// <summary>
    /// Whether <paramref name="expression"/> uses each of <paramref name="numbers"/> exactly once (and no other
    /// number), with + - * / and parentheses, and equals 24 exactly.
    /// </summary>
    /// <param name="numbers">The puzzle.</param>
    /// <param name="expression">The answer, e.g. <c>(6 - 4) * (8 + 4)</c>; a trailing <c>= 24</c> is allowed.</param>
    /// <returns>Whether the answer is correct.</returns>
    public static bool Check(IReadOnlyList<int> numbers, string expression)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(expression);
        var text = expression;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            if (!Rational.TryParse(text[(equals + 1)..], out var stated) || stated != 24)
            {
                return false;
            }

            text = text[..equals];
        }

        if (!TryEvaluate(text, out var value, out var used))
        {
            return false;
        }

        return value == 24 && used.Order().SequenceEqual(numbers.Select(n => (Rational)n).Order());
    }

    /// <summary>Evaluates an arithmetic expression exactly.</summary>
    /// <param name="expression">Numbers, + - * / (also × ÷) and parentheses.</param>
    /// <param name="value">The value.</param>
    /// <param name="numbers">The number literals it contains, in order.</param>
    /// <returns>Whether it is a well-formed expression without division by zero.</returns>
    public static bool TryEvaluate(string expression, out Rational value, out IReadOnlyList<Rational> numbers)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parser = new Parser(expression.Replace('×', '*').Replace('÷', '/'));
        try
        {
            value = parser.Expression();
            parser.SkipSpace();
            numbers = parser.Numbers;
            return parser.AtEnd;
        }
        catch (FormatException)
        {
        }
        catch (DivideByZeroException)
        {
        }

        value = default;
        numbers = [];
        return false;
    }

    /// <summary>Builds the expression a sequence of steps computes, starting from <paramref name="start"/>.</summary>
    internal static string FromSteps(IReadOnlyList<Rational> start, IEnumerable<Game24Step> steps)
    {
        var pool = start.Select(n => (Value: n, Text: n.ToString())).ToList();
        foreach (var step in steps)
        {
            var left = Take(step.Left);
            var right = Take(step.Right);
            pool.Add((step.Result, $"({left} {step.Operator} {right})"));
        }

        var text = pool.Count == 1 ? pool[0].Text : string.Join(", ", pool.Select(p => p.Text));
        return text.StartsWith('(') && text.EndsWith(')') && pool.Count == 1 ? text[1..^1] : text;

        string Take(Rational value)
        {
            var index = pool.FindIndex(p => p.Value == value);
            var text = pool[index].Text;
            pool.RemoveAt(index);
            return text;
        }
    }

    private sealed class Parser(string text)
    {
        private int _position;

        public List<Rational> Numbers { get; } = [];

        public bool AtEnd => _position >= text.Length;

        public Rational Expression()
        {
            var value = Term();
            while (Peek() is '+' or '-')
            {
                var op = text[_position++];
                var right = Term();
                value = op == '+' ? value + right : value - right;
            }

            return value;
        }

        public void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private Rational Term()
        {
            var value = Factor();
            while (Peek() is '*' or '/')
            {
                var op = text[_position++];
                var right = Factor();
                value = op == '*' ? value * right : value / right;
            }

            return value;
        }

        private Rational Factor()
        {
            var c = Peek();
            if (c == '(')
            {
                _position++;
                var value = Expression();
                if (Peek() != ')')
                {
                    throw new FormatException("unclosed parenthesis");
                }

                _position++;
                return value;
            }

            var start = _position;
            while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] == '.'))
            {
                _position++;
            }

            if (start == _position || !Rational.TryParse(text[start.._position], out var number))
            {
                throw new FormatException("number expected");
            }

            Numbers.Add(number);
            return number;
        }

        private char? Peek()
        {
            SkipSpace();
            return _position < text.Length ? text[_position] : null;
        }
    }
}
