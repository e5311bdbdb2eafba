namespace AgentKit.Abstractions.Text;

/// <summary>
/// The one definition of a "word" the lexical parts share (RAG's hashing embedder and keyword ranking, tool
/// selection's keyword side): a maximal run of letters and digits, lower-cased.
/// </summary>
public static class WordTokenizer
{
    /// <summary>The words of <paramref name="text"/>, in order, lower-cased.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The words; separators (punctuation, underscores, white space) are dropped.</returns>
    public static IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }
}
