using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentKit.Rag.Answers;

/// <summary>Finds <c>[n]</c> citation markers in answer text (also <c>[1, 3]</c> and <c>[2][4]</c>).</summary>
internal static partial class CitationMarkers
{
    [GeneratedRegex(@"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    [GeneratedRegex(@"(\s*)\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex SpacedMarker();

    /// <summary>
    /// Renumbers every marker: each number <c>n</c> becomes the numbers <paramref name="map"/> gives for it (sorted,
    /// each once); a marker left with none is removed together with the space before it.
    /// </summary>
    public static string Renumber(string text, Func<int, IEnumerable<int>> map) =>
        SpacedMarker().Replace(text, match =>
        {
            var numbers = match.Groups[2].Value.Split([',', ';'], StringSplitOptions.TrimEntries)
                .SelectMany(part => map(int.Parse(part, CultureInfo.InvariantCulture)))
                .Distinct().Order().ToList();
            return numbers.Count == 0 ? "" : match.Groups[1].Value + "[" + string.Join(", ", numbers) + "]";
        });

    /// <summary>The distinct numbers from 1 to <paramref name="count"/> cited in <paramref name="text"/>, in order of first use.</summary>
    public static List<int> Used(string text, int count)
    {
        var used = new List<int>();
        foreach (Match match in Marker().Matches(text))
        {
            foreach (var part in match.Groups[1].Value.Split([',', ';'], StringSplitOptions.TrimEntries))
            {
                var number = int.Parse(part, CultureInfo.InvariantCulture);
                if (number >= 1 && number <= count && !used.Contains(number))
                {
                    used.Add(number);
                }
            }
        }

        return used;
    }
}
