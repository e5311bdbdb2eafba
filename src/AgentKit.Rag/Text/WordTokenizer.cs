namespace AgentKit.Rag.Text;

/// <summary>The one definition of a "word" the lexical parts share (hashing embedder, keyword ranking): a maximal run of letters and digits, lower-cased.</summary>
internal static class WordTokenizer
{
    public static IEnumerable<string> Words(string text)
    {
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
