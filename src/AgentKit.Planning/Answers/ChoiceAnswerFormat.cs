using System.Text.RegularExpressions;

namespace AgentKit.Planning;

/// <summary>One of the letters A to the <c>count</c>-th letter, compared by letter.</summary>
internal sealed class ChoiceAnswerFormat : AnswerFormat
{
    private readonly Regex _alone;
    private readonly Regex _inText;

    public ChoiceAnswerFormat(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 26);
        Letters = new string([.. Enumerable.Range(0, count).Select(i => (char)('A' + i))]);
        var set = $"[{Letters[0]}-{Letters[^1]}{char.ToLowerInvariant(Letters[0])}-{char.ToLowerInvariant(Letters[^1])}]";
        _alone = new Regex($@"^\s*(?:option\s+|choice\s+)?[\(\[]?(?<c>{set})(?:[\)\]\.:,]|\s|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        _inText = new Regex($@"[\(\[](?<c>{set})[\)\]]", RegexOptions.CultureInvariant);
    }

    public string Letters { get; }

    public override string Kind => "choice";

    public override string Detail => string.Join(", ", Letters.ToCharArray());

    public override string? Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var match = _alone.Match(answer);
        return match.Success ? match.Groups["c"].Value.ToUpperInvariant() : null;
    }

    public override string? TryParse(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        if (AfterAnswerMarker(reasoning) is { } marked && Normalize(marked) is { } answer)
        {
            return answer;
        }

        var matches = _inText.Matches(reasoning);
        return matches.Count == 0 ? null : matches[^1].Groups["c"].Value.ToUpperInvariant();
    }
}
