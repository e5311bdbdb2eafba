namespace AgentKit.Abstractions.Text;

/// <summary>
/// Splits text into sentence spans. A sentence ends at a blank line, at a line that starts a list item, or after
/// <c>.</c>, <c>!</c> or <c>?</c> (and any closing quotes or brackets) followed by whitespace and a character that
/// is not lower case, unless the word before the period is a common abbreviation or a single letter (an initial).
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "cf", "mr", "mrs", "ms", "dr", "prof", "st", "no", "fig", "eq", "sec", "ch", "vol",
        "approx", "inc", "ltd", "jr", "sr", "resp", "al", "p", "pp",
    };

    /// <summary>The sentences as (start, end) spans, end exclusive, with no leading or trailing whitespace.</summary>
    public static List<(int Start, int End)> Split(string text)
    {
        var spans = new List<(int Start, int End)>();
        var start = SkipWhitespace(text, 0);
        var i = start;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n' && IsHardBreak(text, i))
            {
                Emit(spans, text, start, i);
                start = SkipWhitespace(text, i);
                i = start;
                continue;
            }

            if (c is '.' or '!' or '?')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is '"' or '\'' or ')' or ']' or '»' or '”' or '’' or '.' or '!' or '?')
                {
                    end++;
                }

                if (end == text.Length || (char.IsWhiteSpace(text[end]) && EndsSentence(text, i, end)))
                {
                    Emit(spans, text, start, end);
                    start = SkipWhitespace(text, end);
                    i = start;
                    continue;
                }

                i = end;
                continue;
            }

            i++;
        }

        Emit(spans, text, start, text.Length);
        return spans;
    }

    private static bool IsHardBreak(string text, int newline)
    {
        var next = newline + 1;
        while (next < text.Length && text[next] is ' ' or '\t')
        {
            next++;
        }

        if (next >= text.Length || text[next] == '\n')
        {
            return true;
        }

        // A list item or a table row starts a new unit even without a blank line before it.
        return (text[next] is '-' or '*' or '+' or '|' && next + 1 < text.Length && text[next + 1] is ' ' or '|')
            || (char.IsDigit(text[next]) && NumberedItem(text, next));
    }

    private static bool NumberedItem(string text, int at)
    {
        var i = at;
        while (i < text.Length && char.IsDigit(text[i]))
        {
            i++;
        }

        return i + 1 < text.Length && text[i] is '.' or ')' && text[i + 1] == ' ';
    }

    private static bool EndsSentence(string text, int punctuation, int end)
    {
        var next = SkipWhitespace(text, end);
        if (next < text.Length && char.IsLower(text[next]))
        {
            return false;
        }

        if (text[punctuation] != '.')
        {
            return true;
        }

        var wordStart = punctuation;
        while (wordStart > 0 && (char.IsLetterOrDigit(text[wordStart - 1]) || text[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        var word = text[wordStart..punctuation];
        return !(word.Length == 1 && char.IsUpper(word[0])) && !Abbreviations.Contains(word);
    }

    private static int SkipWhitespace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static void Emit(List<(int Start, int End)> spans, string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            spans.Add((start, end));
        }
    }
}
