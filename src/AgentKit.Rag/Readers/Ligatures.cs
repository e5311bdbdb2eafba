namespace AgentKit.Rag.Readers;

/// <summary>
/// Latin typographic ligatures (U+FB00–U+FB06: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ), which PDFs set in place of their letters, written out
/// as those letters: "eﬃcient" is "efficient" to keyword search and to the embedding model's tokenizer.
/// </summary>
internal static class Ligatures
{
    private static readonly string[] Letters = ["ff", "fi", "fl", "ffi", "ffl", "st", "st"];

    /// <summary>The text with each ligature replaced by its letters; the same instance when there is none.</summary>
    public static string Expand(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange('\uFB00', '\uFB06');
        if (first < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '\uFB00' and <= '\uFB06')
            {
                builder.Append(Letters[c - '\uFB00']);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
