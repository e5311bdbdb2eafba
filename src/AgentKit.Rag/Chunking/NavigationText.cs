using System.Text.RegularExpressions;

namespace AgentKit.Rag.Chunking;

/// <summary>
/// Recognises tables of contents and indexes in extracted text: runs of entries that end in page numbers. Such text
/// shares the words of every section it lists, so it would win keyword and vector rankings without answering anything.
/// </summary>
/// <remarks>
/// An entry end is a page number (an integer of at most four digits) that follows a dotted leader, a word, or an
/// entry end with a comma ("acos, 45", "Recycling rule ..... 9, 22", "1.3 Using the package . . . 10"); a word is a
/// token with a letter and no brackets, so numbers in code ("c(1, 2, 3)") are no entry ends. Text is navigation when it has at least <see cref="MinEntries"/> entry ends
/// and either most of them follow dotted leaders, or entry ends make up <see cref="MinEntryShare"/> of its words.
/// Prose that cites pages ("see page 12") stays far below these shares; tables of measurements have decimals or
/// numbers after numbers, which are not entry ends.
/// </remarks>
internal static partial class NavigationText
{
    private static readonly System.Buffers.SearchValues<char> CodeCharacters = System.Buffers.SearchValues.Create("()[]{}=<>");

    /// <summary>Entry ends needed before the text can be navigation.</summary>
    internal const int MinEntries = 4;

    /// <summary>The share of words that are entry ends above which text without leaders is an index.</summary>
    internal const double MinEntryShare = 0.2;

    /// <summary>The share of words that are entry ends after dotted leaders above which text is a table of contents.</summary>
    internal const double MinLeaderShare = 0.05;

    /// <summary>Whether the text is a table of contents or an index rather than content.</summary>
    /// <param name="text">The text of a chunk or page.</param>
    /// <returns>True for navigation.</returns>
    public static bool IsNavigation(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = 0;
        var entries = 0;
        var afterLeaders = 0;
        var previous = Token.None;
        var previousWasEntry = false;
        foreach (Match match in TokenPattern().Matches(text))
        {
            var token = Classify(match.Value);
            if (token == Token.Leader)
            {
                previous = Token.Leader;
                continue;
            }

            words++;
            var entry = token is Token.Number or Token.NumberWithComma
                && (previous is Token.Leader or Token.Word or Token.WordThenLeader || (previous == Token.NumberWithComma && previousWasEntry));
            if (entry)
            {
                entries++;
                afterLeaders += previous is Token.Leader or Token.WordThenLeader ? 1 : 0;
            }

            previous = token;
            previousWasEntry = entry;
        }

        return entries >= MinEntries
            && ((afterLeaders * 2 >= entries && afterLeaders >= MinLeaderShare * words) || entries >= MinEntryShare * words);
    }

    private static Token Classify(string token)
    {
        if (LeaderPattern().IsMatch(token))
        {
            return Token.Leader;
        }

        var core = token.TrimEnd(',', ';');
        if (PageNumberPattern().IsMatch(core))
        {
            return core.Length < token.Length ? Token.NumberWithComma : Token.Number;
        }

        // Code ("c(1,", "x[2]") and symbols are no index terms: the numbers after them are arguments, not pages.
        return !token.Any(char.IsLetter) || token.AsSpan().IndexOfAny(CodeCharacters) >= 0 ? Token.Other
            : TrailingLeaderPattern().IsMatch(token) ? Token.WordThenLeader
            : Token.Word;
    }

    private enum Token
    {
        None,
        Other,
        Word,
        WordThenLeader,
        Leader,
        Number,
        NumberWithComma,
    }

    /// <summary>Whitespace-separated tokens, except that a dotted leader glued to a number ("....12") is split off.</summary>
    [GeneratedRegex(@"(?:\.\s?){3,}\.|[^\s.…]+(?:\.[^\s.…]+)*[.…]*|…+", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"^(?:(?:\.\s?){3,}\.|…+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LeaderPattern();

    [GeneratedRegex(@"(?:\.{4,}|…+)$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingLeaderPattern();

    [GeneratedRegex(@"^\d{1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex PageNumberPattern();
}
