using AgentKit.Abstractions.Text;
using System.Security.Cryptography;
using System.Text;

namespace AgentKit.Rag.Chunking;

/// <summary>A piece of a document sized for embedding, with everything a citation needs.</summary>
/// <param name="SourcePath">The file it came from.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Page">The 1-based page for paged formats; <see langword="null"/> otherwise.</param>
/// <param name="HeadingPath">The headings above the chunk, outermost first.</param>
/// <param name="Text">The chunk's text, whole sentences with the document's own spacing.</param>
/// <param name="Index">The chunk's position in the document, from 0.</param>
/// <param name="TokenCount">Its size in tokens, as the chunker's <see cref="ITokenCounter"/> counted.</param>
public sealed record DocumentChunk(
    string SourcePath, string Title, int? Page, IReadOnlyList<string> HeadingPath, string Text, int Index, int TokenCount)
{
    /// <summary>The heading path as one string (<c>Install &gt; On Linux</c>); empty when there is none.</summary>
    public string SectionPath => Documents.DocumentSection.FormatPath(HeadingPath);

    /// <summary>
    /// The headings embedded with the text: <see cref="HeadingPath"/>, or its innermost headings when the whole path
    /// would take too much of the embedding model's input (<see cref="TextChunker"/> decides).
    /// </summary>
    public IReadOnlyList<string> EmbeddedHeadingPath { get; init; } = HeadingPath;

    /// <summary>What is embedded for the chunk: the embedded heading path (context the text alone may lack), then the text.</summary>
    public string EmbeddingText => EmbeddingPrefix(EmbeddedHeadingPath) + Text;

    /// <summary>The SHA-256 of the text's UTF-8 bytes, lower-case hex.</summary>
    public string ContentHash { get; } = Hash(Text);

    /// <summary>
    /// Whether the text is a table of contents or an index (entries ending in page numbers) rather than content;
    /// such chunks are stored but left out of retrieval.
    /// </summary>
    public bool IsNavigation { get; } = NavigationText.IsNavigation(Text);

    /// <summary>
    /// The texts of the chunk's passages: windows of <paramref name="words"/> words of <see cref="Text"/> (split at
    /// white space), each starting <paramref name="stride"/> words after the previous one, the last one ending with
    /// the text, each after the embedded heading path as in <see cref="EmbeddingText"/>. A text of at most
    /// <paramref name="words"/> words is one passage: <see cref="EmbeddingText"/> itself. Each passage is part of the
    /// chunk's embedding text, so it fits wherever the chunk fits.
    /// </summary>
    /// <param name="words">Words per passage, at least 1.</param>
    /// <param name="stride">Words from one passage's start to the next, from 1 to <paramref name="words"/>.</param>
    /// <returns>At least one text.</returns>
    public IReadOnlyList<string> PassageTexts(int words, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(words, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stride, words);
        var all = Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (all.Length <= words)
        {
            return [EmbeddingText];
        }

        var prefix = EmbeddingPrefix(EmbeddedHeadingPath);
        var passages = new List<string>();
        for (var start = 0; ; start += stride)
        {
            var end = Math.Min(all.Length, start + words);
            passages.Add(prefix + string.Join(' ', all, start, end - start));
            if (end == all.Length)
            {
                return passages;
            }
        }
    }

    /// <summary>The part of <see cref="EmbeddingText"/> before the text.</summary>
    internal static string EmbeddingPrefix(IReadOnlyList<string> headings) =>
        headings.Count == 0 ? "" : Documents.DocumentSection.FormatPath(headings) + "\n\n";

    /// <summary>The SHA-256 of a string's UTF-8 bytes as lower-case hex.</summary>
    /// <param name="text">The text.</param>
    /// <returns>64 hex digits.</returns>
    public static string Hash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
