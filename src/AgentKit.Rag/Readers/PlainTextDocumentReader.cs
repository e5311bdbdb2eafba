using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads plain text (<c>.txt</c>, <c>.text</c>) and the plain-text markups that mark headings the same way,
/// reStructuredText (<c>.rst</c>) and AsciiDoc (<c>.adoc</c>, <c>.asciidoc</c>). Headings become section paths:
/// <list type="bullet">
/// <item>an underlined title: a line after a blank line (or at the start), not indented, followed by a line of one
/// punctuation character repeated (<c>=</c>, <c>-</c>, <c>~</c>, <c>^</c>, <c>*</c>, <c>+</c>, <c>#</c>…) at least three
/// times and at most two shorter than the title; or a title between an overline and an underline of the same
/// character, which may be indented (reStructuredText; not in AsciiDoc, where such lines delimit code). Levels follow
/// the order in which underline styles first appear, as in reStructuredText;</item>
/// <item>in AsciiDoc, also one-line titles (<c>== Section</c>: the number of <c>=</c> is the level), outside delimited
/// blocks (<c>----</c>, <c>....</c>, <c>````</c>, <c>++++</c>).</item>
/// </list>
/// Everything else is kept as written, line breaks included. Text with form feeds is paged: each form feed starts a
/// page, sections carry their page numbers, and running header and footer lines and bare page numbers are dropped as
/// in PDFs (an RFC's "RFC 791 … September 1981" and "Postel … [Page 5]"). The title is the first level-1 heading, else
/// the file name.
/// </summary>
public sealed class PlainTextDocumentReader : IDocumentReader
{
    private const string Adornments = "=-~^*+#\"'`:._";

    /// <summary>The longest line read as a title.</summary>
    private const int MaxTitleLength = 200;

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text", ".rst", ".adoc", ".asciidoc"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var extension = Path.GetExtension(sourcePath);
        var asciiDoc = extension.Equals(".adoc", StringComparison.OrdinalIgnoreCase) || extension.Equals(".asciidoc", StringComparison.OrdinalIgnoreCase);
        var pages = TextDecoding.Decode(sourcePath, content.Span, keepFormFeeds: true).Split('\f');
        var walker = new Walker(asciiDoc, cancellationToken);
        if (pages.Length == 1)
        {
            walker.Read(pages[0].Split('\n'));
            return walker.Finish(sourcePath, pageCount: null);
        }

        // Form feeds make pages (RFCs, line-printer manuals): each page is numbered, its running header and footer
        // lines and bare page numbers dropped as in PDFs.
        var lines = pages.Select(page => page.Split('\n')).ToArray();
        var repeated = RunningLines.Repeated(lines.Where(page => page.Any(l => l.Trim().Length > 0)).Select(page => Band(page).Select(i => page[i])));
        for (var number = 0; number < lines.Length; number++)
        {
            var page = lines[number];
            foreach (var i in Band(page).Where(i => repeated.Contains(RunningLines.Key(page[i])) || RunningLines.IsPageNumber(page[i])))
            {
                page[i] = "";
            }

            walker.Page(number + 1);
            walker.Read(page);
        }

        var pageCount = lines[^1].Any(l => l.Trim().Length > 0) ? lines.Length : lines.Length - 1;
        return walker.Finish(sourcePath, pageCount);
    }

    /// <summary>The indexes of a page's first and last <see cref="RunningLines.BandSize"/> lines with text.</summary>
    private static IEnumerable<int> Band(string[] page)
    {
        var withText = Enumerable.Range(0, page.Length).Where(i => page[i].Trim().Length > 0).ToList();
        return withText.Take(RunningLines.BandSize).Concat(withText.TakeLast(RunningLines.BandSize)).Distinct();
    }

    /// <summary>Reads lines into sections, keeping heading styles and AsciiDoc's open block across pages.</summary>
    private sealed class Walker(bool asciiDoc, CancellationToken cancellationToken)
    {
        private readonly SectionBuilder _sections = new();
        private readonly List<(char Adornment, bool Overlined)> _styles = [];
        private readonly List<string> _body = [];
        private string? _delimiter;

        public void Page(int number)
        {
            EndBody();
            _sections.Page(number);
        }

        public void Read(string[] lines)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                if ((i & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var line = lines[i];
                // A heading's underline never gets here (its title line took it), so a delimiter-like line opens a block.
                if (asciiDoc && (_delimiter is null ? IsBlockDelimiter(line) : line == _delimiter))
                {
                    _delimiter = _delimiter is null ? line : null;
                    _body.Add(line);
                    continue;
                }

                if (_delimiter is null && Heading(lines, i, asciiDoc, _styles) is { } heading)
                {
                    EndBody();
                    _sections.Heading(heading.Level, heading.Title);
                    i += heading.Lines - 1;
                    continue;
                }

                _body.Add(line);
            }
        }

        public RagDocument Finish(string sourcePath, int? pageCount)
        {
            EndBody();
            var sections = _sections.Build();
            return new RagDocument(sourcePath, _sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath), sections, pageCount);
        }

        private void EndBody()
        {
            _sections.Paragraph(string.Join('\n', _body));
            _body.Clear();
        }
    }

    /// <summary>The heading that starts at line <paramref name="i"/>, its level and how many lines it takes; null for none.</summary>
    private static (int Level, string Title, int Lines)? Heading(string[] lines, int i, bool asciiDoc, List<(char, bool)> styles)
    {
        if (i > 0 && lines[i - 1].Trim().Length > 0)
        {
            return null;
        }

        var line = lines[i];
        if (asciiDoc && line.StartsWith('=') && line.TrimStart('=') is [' ', ..] rest && line.Length - rest.Length <= 6 && rest.Trim().Length > 0)
        {
            return (line.Length - rest.Length, rest.Trim(), 1);
        }

        // reStructuredText's overline, title, underline.
        if (!asciiDoc && i + 2 < lines.Length && IsAdornment(line) && IsTitle(lines[i + 1].TrimStart()) && lines[i + 2].TrimEnd() == line.TrimEnd()
            && line.TrimEnd().Length >= lines[i + 1].Trim().Length - 2)
        {
            return (Level(styles, (line[0], true)), lines[i + 1].Trim(), 3);
        }

        if (i + 1 < lines.Length && IsTitle(line) && IsUnderline(lines, i, lines[i + 1]))
        {
            return (Level(styles, (lines[i + 1][0], false)), line.Trim(), 2);
        }

        return null;
    }

    private static int Level(List<(char, bool)> styles, (char, bool) style)
    {
        var level = styles.IndexOf(style);
        if (level < 0)
        {
            styles.Add(style);
            level = styles.Count - 1;
        }

        return level + 1;
    }

    /// <summary>Whether <paramref name="underline"/> underlines line <paramref name="title"/> as a heading.</summary>
    private static bool IsUnderline(string[] lines, int title, string underline) =>
        title >= 0 && IsAdornment(underline) && IsTitle(lines[title]) && underline.TrimEnd().Length >= Math.Max(3, lines[title].Trim().Length - 2);

    private static bool IsTitle(string line) =>
        line.Length > 0 && !char.IsWhiteSpace(line[0]) && line.Length <= MaxTitleLength && !IsAdornment(line) && line.Any(char.IsLetterOrDigit);

    private static bool IsAdornment(string line)
    {
        var trimmed = line.TrimEnd();
        return trimmed.Length >= 3 && Adornments.Contains(trimmed[0], StringComparison.Ordinal) && trimmed.All(c => c == trimmed[0]);
    }

    private static bool IsBlockDelimiter(string line) =>
        line.Length >= 4 && line[0] is '-' or '.' or '`' or '+' && line.All(c => c == line[0]);
}
