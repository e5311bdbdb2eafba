using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentKit.Cost.Caching;

/// <summary>
/// The entity guard of the semantic layer: the numbers, identifiers, names and dates of a request. Two requests may
/// share an answer only when these are the same, so "status of order SB-10421" is never answered with SB-10422's
/// cached answer however close their embeddings are. The guard errs towards a miss: any capitalised word that is not
/// a common sentence word counts as a name.
/// </summary>
internal static partial class RequestEntities
{
    // Common words that open or fill a question with a capital letter without naming anything.
    private static readonly HashSet<string> CommonWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "i", "i'm", "i've", "i'd", "my", "me", "we", "our", "you", "your", "it", "its", "this", "that", "these", "those",
        "what", "what's", "whats", "which", "who", "whom", "whose", "where", "where's", "when", "why", "how", "how's",
        "is", "am", "are", "was", "were", "be", "name", "do", "does", "did", "can", "could", "would", "will", "shall", "should", "may", "might", "must",
        "please", "tell", "show", "give", "explain", "describe", "list", "find", "let", "help", "hi", "hello", "hey", "thanks", "thank",
        "and", "or", "but", "so", "if", "in", "on", "at", "for", "to", "of", "with", "about", "from", "by", "any", "there", "here",
        "ok", "okay", "yes", "no", "not", "have", "has", "had", "get", "got", "need", "want", "ask", "kindly", "quick", "quickly",
        // Imperatives that open requests.
        "book", "buy", "calculate", "cancel", "change", "check", "compare", "convert", "create", "define", "draft", "make", "order",
        "recommend", "reset", "return", "say", "send", "ship", "suggest", "summarise", "summarize", "track", "translate", "update", "write",
    };

    private static readonly string[] NumberWords =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    ];

    /// <summary>The request's entities, normalised (identifiers upper case, numbers without separators, number words as digits), sorted and distinct.</summary>
    public static IReadOnlyList<string> Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entities = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match token in Token().Matches(text))
        {
            var value = token.Value.Trim('-', '.', '/', ':', '\'');
            if (value.Length == 0)
            {
                continue;
            }

            if (value.Any(char.IsDigit))
            {
                entities.Add(NormaliseNumeric(value));
                continue;
            }

            var number = Array.IndexOf(NumberWords, value.ToLowerInvariant());
            if (number >= 0)
            {
                entities.Add(number.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            // A capital inside the word (iPhone, McDonald) or an upper-case acronym names something; so does a
            // capitalised word that is not one of the sentence words above.
            var capitalised = char.IsUpper(value[0]) || value.Skip(1).Any(char.IsUpper);
            if (capitalised && !CommonWords.Contains(StripPossessive(value)))
            {
                entities.Add(StripPossessive(value).ToUpperInvariant());
            }
        }

        return [.. entities];
    }

    /// <summary>Whether two requests name the same entities.</summary>
    public static bool Agree(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.SequenceEqual(b, StringComparer.Ordinal);

    public static string Join(IReadOnlyList<string> entities) => string.Join('\u001f', entities);

    public static IReadOnlyList<string> Split(string joined) => joined.Length == 0 ? [] : joined.Split('\u001f');

    private static string StripPossessive(string word) =>
        word.EndsWith("'s", StringComparison.OrdinalIgnoreCase) || word.EndsWith("’s", StringComparison.OrdinalIgnoreCase) ? word[..^2] : word;

    private static string NormaliseNumeric(string value)
    {
        // "1,000" and "1000" are the same number; "SB-10421" and "sb-10421" the same id.
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == ',' && i > 0 && i < value.Length - 1 && char.IsDigit(value[i - 1]) && char.IsDigit(value[i + 1]))
            {
                continue;
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    // Words, numbers (with decimal and thousands separators), and identifiers joined by - _ / . : (SB-10421, 2026-12-05, 3.5, v1.2).
    [GeneratedRegex(@"[\p{L}\p{N}]+(?:[-_/.:,'’][\p{L}\p{N}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
