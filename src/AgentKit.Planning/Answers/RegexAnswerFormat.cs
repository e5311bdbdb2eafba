using System.Text.RegularExpressions;

namespace AgentKit.Planning;

/// <summary>Text matching a pattern; the <c>answer</c> group when there is one, else the whole match.</summary>
internal sealed class RegexAnswerFormat : AnswerFormat
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);
    private readonly Regex _pattern;

    public RegexAnswerFormat(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        try
        {
            _pattern = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The answer pattern '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }

    public override string Kind => "regex";

    public override string Detail => _pattern.ToString();

    public override string? Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var match = _pattern.Match(answer);
        return match.Success ? Value(match) : null;
    }

    public override string? TryParse(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        var matches = _pattern.Matches(reasoning);
        return matches.Count == 0 ? null : Value(matches[^1]);
    }

    private static string Value(Match match) => (match.Groups["answer"].Success ? match.Groups["answer"].Value : match.Value).Trim();
}
