namespace AgentKit.Rag.Documents;

/// <summary>
/// A document as a reader produced it: where it came from, its title and its text as ordered sections, each with
/// the heading path above it and, for paged formats, its page number.
/// </summary>
/// <param name="SourcePath">The file the document was read from, as the caller named it.</param>
/// <param name="Title">The document's title: its metadata title, first top-level heading, or file name.</param>
/// <param name="Sections">The text in reading order. Sections never span two pages.</param>
/// <param name="PageCount">Pages in the file for paged formats (PDF); <see langword="null"/> otherwise.</param>
public sealed record RagDocument(string SourcePath, string Title, IReadOnlyList<DocumentSection> Sections, int? PageCount = null)
{
    /// <summary>Whether the document has any text at all.</summary>
    public bool HasText => Sections.Any(s => !string.IsNullOrWhiteSpace(s.Text));
}

/// <summary>A run of text under one heading path (and on one page, for paged formats).</summary>
/// <param name="HeadingPath">The headings above the text, outermost first; empty before the first heading.</param>
/// <param name="Text">The text: paragraphs separated by a blank line.</param>
/// <param name="Page">The 1-based page number for paged formats; <see langword="null"/> otherwise.</param>
public sealed record DocumentSection(IReadOnlyList<string> HeadingPath, string Text, int? Page = null)
{
    /// <summary>The separator <see cref="FormatPath"/> puts between headings.</summary>
    public const string PathSeparator = " > ";

    /// <summary>The heading path as one string, such as <c>Install &gt; On Linux</c>; empty when there is none.</summary>
    public string SectionPath => FormatPath(HeadingPath);

    /// <summary>Joins headings with <see cref="PathSeparator"/>.</summary>
    /// <param name="headings">The headings, outermost first.</param>
    /// <returns>The path; empty for no headings.</returns>
    public static string FormatPath(IEnumerable<string> headings) => string.Join(PathSeparator, headings);
}
