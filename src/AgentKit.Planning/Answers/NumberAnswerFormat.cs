using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentKit.Planning;

/// <summary>Numbers compared by value; fractions are divided out, thousands separators, currency signs and units around the number ignored.</summary>
internal sealed partial class NumberAnswerFormat : AnswerFormat
{
    public override string Kind => "number";

    public override string? Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var matches = NumberPattern().Matches(answer);
        return matches.Count == 0 ? null : Canonical(matches[0]);
    }

    public override string? TryParse(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        if (AfterAnswerMarker(reasoning) is { } marked && Normalize(marked) is { } answer)
        {
            return answer;
        }

        var matches = NumberPattern().Matches(reasoning);
        return matches.Count == 0 ? null : Canonical(matches[^1]);
    }

    private static string? Canonical(Match match)
    {
        if (!TryParseDecimal(match.Groups["num"].Value, out var value))
        {
            return null;
        }

        if (match.Groups["den"].Success)
        {
            if (!TryParseDecimal(match.Groups["den"].Value, out var denominator) || denominator == 0)
            {
                return null;
            }

            value /= denominator;
        }

        // Dividing by 1.000… strips trailing zeros, so 12.50 and 12.5 print alike.
        return (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
    }

    private static bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);

    [GeneratedRegex(@"(?<num>[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[-]?\.\d+)(?:\s*/\s*(?<den>\d+(?:\.\d+)?))?", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
