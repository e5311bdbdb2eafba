using System.Globalization;
using System.Text.RegularExpressions;

namespace Game24.Puzzle;

/// <summary>One Game of 24 step: two of the remaining numbers combined into one, e.g. <c>4 + 8 = 12 (left: 6 8 12)</c>.</summary>
/// <param name="Left">The first operand.</param>
/// <param name="Operator">One of <c>+ - * /</c>.</param>
/// <param name="Right">The second operand.</param>
/// <param name="Result">Left op Right, exactly.</param>
/// <param name="Remaining">The numbers left after the step, ascending.</param>
public sealed partial record Game24Step(Rational Left, char Operator, Rational Right, Rational Result, IReadOnlyList<Rational> Remaining)
{
    /// <summary>The step in the prompts' form: <c>4 + 8 = 12 (left: 6 8 12)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Left} {Operator} {Right} = {Result} (left: {Game24Numbers.Format(Remaining)})");

    /// <summary>
    /// Reads a step from a line of model output and checks it against the numbers available: both operands must be
    /// among <paramref name="available"/>, the result must be exact, and the "left" list (when given) must be what
    /// really remains. Numbering, bullets and text around the step are ignored.
    /// </summary>
    /// <param name="available">The numbers before the step.</param>
    /// <param name="line">The model's line.</param>
    /// <param name="step">The step, with the remaining numbers computed.</param>
    /// <returns>Whether the line holds a valid step.</returns>
    public static bool TryParse(IReadOnlyList<Rational> available, string line, out Game24Step? step)
    {
        ArgumentNullException.ThrowIfNull(available);
        ArgumentNullException.ThrowIfNull(line);
        step = null;
        var match = StepPattern().Match(line);
        if (!match.Success
            || !Rational.TryParse(match.Groups["a"].Value, out var a)
            || !Rational.TryParse(match.Groups["b"].Value, out var b)
            || !Rational.TryParse(match.Groups["c"].Value, out var c))
        {
            return false;
        }

        var op = match.Groups["op"].Value switch
        {
            "×" or "x" or "X" => '*',
            "÷" => '/',
            var s => s[0],
        };
        if (Game24Numbers.Apply(a, op, b) is not { } exact || exact != c)
        {
            return false;
        }

        var rest = available.ToList();
        if (!rest.Remove(a) || !rest.Remove(b))
        {
            return false;
        }

        rest.Add(c);
        var remaining = Game24Numbers.Sorted(rest);
        if (match.Groups["left"].Success)
        {
            if (!Game24Numbers.TryParse(match.Groups["left"].Value, out var stated) || !Game24Numbers.Sorted(stated).SequenceEqual(remaining))
            {
                return false;
            }
        }

        step = new Game24Step(a, op, b, c, remaining);
        return true;
    }

    [GeneratedRegex(@"(?<a>-?\d+(?:\.\d+)?(?:/\d+)?)\s*(?<op>[-+*/×÷xX])\s*(?<b>-?\d+(?:\.\d+)?(?:/\d+)?)\s*=\s*(?<c>-?\d+(?:\.\d+)?(?:/\d+)?)(?:\s*\(\s*left\s*:\s*(?<left>[^)]*)\))?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex StepPattern();
}
