using System.Globalization;
using System.Text.RegularExpressions;
using AgentKit.Abstractions.Text;

namespace AgentKit.Abstractions.Evidence;

/// <summary>
/// One sentence of evidence reduced to what a comparison needs: its values by kind (a date, an amount of money, a
/// percentage, a number with its unit word), whether it is negated, and its other content words, stemmed.
/// </summary>
internal sealed partial class Statement
{
    private static readonly string[] Months =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    private static readonly Dictionary<string, int> NumberWords = new(StringComparer.Ordinal)
    {
        ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8,
        ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["fourteen"] = 14, ["fifteen"] = 15,
        ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40, ["fifty"] = 50, ["sixty"] = 60, ["ninety"] = 90,
    };

    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "cannot", "none", "nothing", "neither", "nor", "without",
    };

    /// <summary>Words that negate when followed by "t" (the tokenizer splits "don't" into "don", "t").</summary>
    private static readonly HashSet<string> Contractions = new(StringComparer.Ordinal)
    {
        "isn", "aren", "wasn", "weren", "don", "doesn", "didn", "won", "can", "couldn", "shouldn", "mustn", "hasn", "haven",
    };

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "from", "with", "as", "is", "are", "was",
        "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there", "their", "they", "them",
        "we", "our", "you", "your", "he", "she", "his", "her", "i", "my", "me", "do", "does", "did", "has", "have", "had",
        "will", "would", "shall", "should", "may", "might", "must", "could", "than", "then", "so", "if", "but", "also",
        "all", "any", "each", "which", "who", "whom", "what", "when", "where", "how", "about", "into", "up", "out", "s", "t",
        "within", "per", "only", "just", "now", "currently",
    };

    /// <summary>Words that label a date as the evidence's own (its version), not a fact about the world.</summary>
    private static readonly HashSet<string> DateLabels = new(StringComparer.Ordinal)
    {
        "updat", "update", "last", "modifi", "modified", "effective", "date", "version", "revis", "revised", "publish",
        "published", "as", "page", "copyright", "edition", "releas", "release", "generat", "generated", "retriev",
        "retrieved", "timestamp",
    };

    private Statement(string text, Dictionary<string, HashSet<string>> values, bool negated, HashSet<string> words)
    {
        Text = text;
        Values = values;
        Negated = negated;
        Words = words;
    }

    /// <summary>The sentence as written.</summary>
    internal string Text { get; }

    /// <summary>Values by kind (<c>date</c>, <c>money:usd</c>, <c>percent</c>, <c>num:day</c>, <c>num</c>), normalised.</summary>
    internal Dictionary<string, HashSet<string>> Values { get; }

    /// <summary>Whether the sentence says not/no/never.</summary>
    internal bool Negated { get; }

    /// <summary>Stemmed content words, values and negations taken out.</summary>
    internal HashSet<string> Words { get; }

    /// <summary>Whether the only words besides a date label it as the evidence's own date (updated, version, …).</summary>
    internal bool IsOnlyADateLabel => Values.Count == 1 && Values.ContainsKey("date") && Words.All(DateLabels.Contains);

    internal static Statement Parse(string sentence)
    {
        var values = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var masked = sentence.ToCharArray();
        foreach (var (regex, read) in Patterns)
        {
            foreach (Match match in regex.Matches(new string(masked)))
            {
                if (read(match) is not { } value)
                {
                    continue;
                }

                Add(values, value.Kind, value.Value);
                Array.Fill(masked, ' ', match.Index, match.Length);
            }
        }

        var tokens = WordTokenizer.Words(new string(masked)).ToList();
        var negated = false;
        var words = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (Negations.Contains(token) || (Contractions.Contains(token) && i + 1 < tokens.Count && tokens[i + 1] == "t"))
            {
                negated = true;
                continue;
            }

            if (NumberWords.TryGetValue(token, out var number) && i + 1 < tokens.Count && IsUnit(tokens[i + 1]))
            {
                Add(values, "num:" + Stem(tokens[i + 1]), number.ToString(CultureInfo.InvariantCulture));
                i++;
                continue;
            }

            if (!StopWords.Contains(token) && !token.All(char.IsDigit))
            {
                words.Add(Stem(token));
            }
        }

        return new Statement(sentence, values, negated, words);
    }

    /// <summary>Crude suffix stripping, enough for "returns"/"returned"/"return" to meet.</summary>
    internal static string Stem(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }

        if (word.Length > 5 && word.EndsWith("ing", StringComparison.Ordinal))
        {
            return word[..^3];
        }

        if (word.Length > 4 && word.EndsWith("ed", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        return word;
    }

    private static bool IsUnit(string word) => word.Length > 1 && word.All(char.IsLetter) && !StopWords.Contains(word) && !Negations.Contains(word);

    private static void Add(Dictionary<string, HashSet<string>> values, string kind, string value)
    {
        if (!values.TryGetValue(kind, out var set))
        {
            values[kind] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.Add(value);
    }

    private static string Number(string digits) =>
        decimal.TryParse(digits.Replace(",", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value.ToString("0.############", CultureInfo.InvariantCulture)
            : digits;

    private static string? MonthNumber(string name)
    {
        var lower = name.ToLowerInvariant().TrimEnd('.');
        var index = Array.FindIndex(Months, m => m.StartsWith(lower, StringComparison.Ordinal) && lower.Length >= 3);
        return index < 0 ? null : (index + 1).ToString("00", CultureInfo.InvariantCulture);
    }

    private static (string Kind, string Value)? Date(string year, string? month, string day) =>
        month is null ? null : ("date", $"{year}-{month}-{int.Parse(day, CultureInfo.InvariantCulture):00}");

    private static string Currency(string symbol) => symbol.ToLowerInvariant() switch
    {
        "$" or "usd" or "dollar" or "dollars" => "usd",
        "€" or "eur" or "euro" or "euros" => "eur",
        "£" or "gbp" or "pound" or "pounds" => "gbp",
        var other => other,
    };

    /// <summary>Value patterns, most specific first; each match is masked before the next pattern runs.</summary>
    private static readonly (Regex Regex, Func<Match, (string Kind, string Value)?> Read)[] Patterns =
    [
        (IsoDate(), m => ("date", m.Value)),
        (DayMonthYear(), m => Date(m.Groups["y"].Value, MonthNumber(m.Groups["m"].Value), m.Groups["d"].Value)),
        (MonthDayYear(), m => Date(m.Groups["y"].Value, MonthNumber(m.Groups["m"].Value), m.Groups["d"].Value)),
        (MoneyBefore(), m => ("money:" + Currency(m.Groups["c"].Value), Number(m.Groups["n"].Value))),
        (MoneyAfter(), m => ("money:" + Currency(m.Groups["c"].Value), Number(m.Groups["n"].Value))),
        (Percent(), m => ("percent", Number(m.Groups["n"].Value))),
        (NumberWithUnit(), m => IsUnit(m.Groups["u"].Value.ToLowerInvariant())
            ? ("num:" + Stem(m.Groups["u"].Value.ToLowerInvariant()), Number(m.Groups["n"].Value))
            : ("num", Number(m.Groups["n"].Value))),
        (BareNumber(), m => ("num", Number(m.Value))),
    ];

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"\b(?<d>\d{1,2})(?:st|nd|rd|th)?\s+(?<m>[A-Za-z]{3,9})\.?,?\s+(?<y>\d{4})\b")]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"\b(?<m>[A-Za-z]{3,9})\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<y>\d{4})\b")]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"(?<c>[$€£])\s?(?<n>\d[\d,]*(?:\.\d+)?)")]
    private static partial Regex MoneyBefore();

    [GeneratedRegex(@"\b(?<n>\d[\d,]*(?:\.\d+)?)\s?(?<c>USD|EUR|GBP|dollars?|euros?|pounds?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MoneyAfter();

    [GeneratedRegex(@"\b(?<n>\d+(?:\.\d+)?)\s?(?:%|percent\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Percent();

    [GeneratedRegex(@"\b(?<n>\d[\d,]*(?:\.\d+)?)[ \t]*-?[ \t]*(?<u>[A-Za-z]{2,})\b")]
    private static partial Regex NumberWithUnit();

    [GeneratedRegex(@"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")]
    private static partial Regex BareNumber();
}
