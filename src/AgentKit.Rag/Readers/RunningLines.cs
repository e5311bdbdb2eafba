using System.Text;
using System.Text.RegularExpressions;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Running headers and footers of paged documents (PDF pages, form-feed pages of plain text): a line among the
/// <see cref="BandSize"/> top or bottom lines of a page whose text, with every run of digits counted as one ("Page 3
/// of 9" matches "Page 14 of 99"), recurs there on <see cref="Pages"/> pages or on half of the pages, whichever is
/// fewer (and on two pages at least); and bare page numbers there ("12", "xiv", "Page 12", "- 12 -").
/// </summary>
internal static partial class RunningLines
{
    /// <summary>The lines at the top and at the bottom of a page that may be running lines.</summary>
    public const int BandSize = 2;

    /// <summary>The pages a band line must recur on to count as running when half the pages are more.</summary>
    public const int Pages = 4;

    /// <summary>The keys (<see cref="Key"/>) of band lines that recur across pages.</summary>
    /// <param name="bands">For each page with text, the texts of its band lines.</param>
    public static HashSet<string> Repeated(IEnumerable<IEnumerable<string>> bands)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var pages = 0;
        foreach (var band in bands)
        {
            pages++;
            foreach (var key in band.Select(Key).Distinct(StringComparer.Ordinal))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var needed = Math.Max(2, Math.Min(Pages, (pages + 1) / 2));
        return counts.Where(c => c.Value >= needed).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The line's text lower-cased with every run of digits as one <c>#</c>, so page 9 and page 10 match.</summary>
    public static string Key(string text)
    {
        var key = new StringBuilder(text.Length);
        foreach (var c in Whitespace.Collapse(text))
        {
            if (!char.IsDigit(c))
            {
                key.Append(char.ToLowerInvariant(c));
            }
            else if (key.Length == 0 || key[^1] != '#')
            {
                key.Append('#');
            }
        }

        return key.ToString();
    }

    /// <summary>Whether a line is a bare page number ("12", "xiv", "Page 12", "- 12 -", "3 of 9").</summary>
    public static bool IsPageNumber(string text) => PageNumberPattern().IsMatch(text);

    [GeneratedRegex(@"^[\s\-–—|]*(page\s+)?(\d{1,5}|[ivxlcdm]{1,7})(\s*(of|/)\s*\d{1,5})?[\s\-–—|]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PageNumberPattern();
}
