using System.Text;
using AgentKit.Rag.Documents;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads PDF text layers with PdfPig, one section per page with its page number:
/// <list type="bullet">
/// <item>words come from the nearest-neighbour word extractor, blocks from the Docstrum page segmenter (which
/// separates columns), and blocks are put in reading order by the unsupervised reading-order detector;</item>
/// <item>TeX's Computer Modern fonts embedded without a Unicode map (common in LaTeX and Texinfo manuals) are read by
/// their TeX encodings, so their "fi" and "fl" ligatures, dashes, quotes, Greek letters and math symbols are text, not
/// control characters that split words;</item>
/// <item>a block's lines are joined with spaces, and a word hyphenated across a line break is rejoined; blocks are
/// paragraphs;</item>
/// <item>running headers and footers are dropped: a line among the two top or two bottom lines of a page whose
/// text (numbers ignored, so "Page 3 of 9" matches "Page 14 of 99") recurs in the same band on
/// <see cref="RunningLines.Pages"/> pages or on half of the pages, whichever is fewer (and on two pages at least),
/// so chapter titles repeated over a chapter go too; so do bare page numbers in those bands ("12", "xiv",
/// "Page 12", "- 12 -"), repeated or not;</item>
/// <item>sections come from the document outline (bookmarks) when it has one: text belongs to the bookmark that
/// covers its position (the last one at or above it in reading order, on its page or an earlier one), so a page where
/// a new section starts halfway down gives two sections.</item>
/// </list>
/// Pages without a text layer (scans) yield no section; a PDF where no page has text reads as a document without
/// text. Encrypted files that need a password raise <see cref="DocumentReadFailure.Encrypted"/>; unparseable ones
/// <see cref="DocumentReadFailure.Corrupt"/>; files whose page tree counts more than <see cref="MaxPages"/> pages
/// (a page-count bomb, or a document too long to read in bounded time) <see cref="DocumentReadFailure.TooLarge"/>,
/// before any page is read.
/// </summary>
public sealed class PdfDocumentReader : IDocumentReader
{
    /// <summary>The default <see cref="MaxPages"/>: 10,000 pages.</summary>
    public const int DefaultMaxPages = 10_000;

    /// <summary>How far (in points) a line may reach above a bookmark's target and still be the heading it points at.</summary>
    private const double BookmarkTolerance = 2;

    /// <summary>Creates a reader.</summary>
    /// <param name="maxPages">The most pages a document may have; default <see cref="DefaultMaxPages"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPages"/> is below 1.</exception>
    public PdfDocumentReader(int maxPages = DefaultMaxPages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPages, 1);
        MaxPages = maxPages;
    }

    /// <summary>The most pages a document may have; a longer one raises <see cref="DocumentReadFailure.TooLarge"/>.</summary>
    public int MaxPages { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        try
        {
            using var document = PdfDocument.Open(content.ToArray(), new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            if (document.NumberOfPages > MaxPages)
            {
                throw new DocumentReadException(
                    sourcePath,
                    DocumentReadFailure.TooLarge,
                    $"'{sourcePath}' has {document.NumberOfPages} pages, over the limit of {MaxPages} (MaxPages).");
            }

            var pages = new List<PageLines>(document.NumberOfPages);
            for (var number = 1; number <= document.NumberOfPages; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pages.Add(ReadPage(document.GetPage(number)));
            }

            var repeated = RepeatedBandLines(pages);
            var outline = Outline.From(document);
            var sections = new List<DocumentSection>();
            foreach (var page in pages)
            {
                sections.AddRange(PageSections(page, repeated, outline));
            }

            var title = document.Information.Title;
            return new RagDocument(
                sourcePath,
                string.IsNullOrWhiteSpace(title) ? Path.GetFileNameWithoutExtension(sourcePath) : Ligatures.Expand(Whitespace.Collapse(title)),
                sections,
                document.NumberOfPages);
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Encrypted, $"'{sourcePath}' is an encrypted PDF that needs a password: {e.Message}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException and not DocumentReadException and not OutOfMemoryException)
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not a readable PDF: {e.Message}", e);
        }
    }

    private static PageLines ReadPage(Page page)
    {
        var lines = new List<Line>();
        if (page.Letters.Count == 0)
        {
            return new PageLines(page.Number, lines);
        }

        var words = NearestNeighbourWordExtractor.Instance.GetWords(TexFontEncoding.Repair(page.Letters));
        var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
        var ordered = UnsupervisedReadingOrderDetector.Instance.Get(blocks);
        var blockIndex = 0;
        foreach (var block in ordered)
        {
            foreach (var line in block.TextLines)
            {
                var text = Ligatures.Expand(string.Join(' ', line.Words.Select(w => w.Text)).Trim());
                if (text.Length > 0)
                {
                    lines.Add(new Line(blockIndex, text, line.BoundingBox.Top, line.BoundingBox.Bottom));
                }
            }

            blockIndex++;
        }

        return new PageLines(page.Number, lines);
    }

    /// <summary>The normalised texts of lines that recur in a page's top or bottom band across pages.</summary>
    private static HashSet<string> RepeatedBandLines(List<PageLines> pages) =>
        RunningLines.Repeated(pages.Where(p => p.Lines.Count > 0).Select(p => BandLines(p).Select(l => l.Text)));

    private static IEnumerable<Line> BandLines(PageLines page)
    {
        var top = page.Lines.OrderByDescending(l => l.Top).Take(RunningLines.BandSize);
        var bottom = page.Lines.OrderBy(l => l.Bottom).Take(RunningLines.BandSize);
        return top.Concat(bottom).Distinct();
    }

    /// <summary>The page's text split where bookmarks start, each piece under the heading path that covers it.</summary>
    private static IEnumerable<DocumentSection> PageSections(PageLines page, HashSet<string> repeated, Outline outline)
    {
        var dropped = BandLines(page).Where(l => repeated.Contains(RunningLines.Key(l.Text)) || RunningLines.IsPageNumber(l.Text)).ToHashSet();
        var starts = outline.StartsOn(page.Number);
        var path = outline.PathBefore(page.Number);
        var next = 0;
        var text = new StringBuilder();
        var block = -1;
        foreach (var line in page.Lines)
        {
            if (dropped.Contains(line))
            {
                continue;
            }

            // Reading order decides: once a line at or below a bookmark's target is reached, the text is its section.
            var covering = next;
            while (covering < starts.Count && (starts[covering].Top is not { } top || line.Top <= top + BookmarkTolerance))
            {
                covering++;
            }

            if (covering > next)
            {
                if (Flush() is { } section)
                {
                    yield return section;
                }

                path = starts[covering - 1].Path;
                next = covering;
            }

            if (line.Block != block || text.Length == 0)
            {
                if (text.Length > 0)
                {
                    text.Append("\n\n");
                }

                block = line.Block;
                text.Append(line.Text);
                continue;
            }

            AppendJoined(text, line.Text);
        }

        if (Flush() is { } last)
        {
            yield return last;
        }

        DocumentSection? Flush()
        {
            var content = text.ToString().Trim();
            text.Clear();
            block = -1;
            return content.Length > 0 ? new DocumentSection(path, content, page.Number) : null;
        }
    }

    /// <summary>Whether a header or footer line is only a page number: "12", "xiv", "Page 12", "12 of 40", "- 12 -".</summary>
    /// <summary>Joins a line to the previous one: a hyphen between a letter and a lower-case letter is a split word.</summary>
    private static void AppendJoined(StringBuilder text, string line)
    {
        if (text.Length >= 2 && text[^1] == '-' && char.IsLetter(text[^2]) && char.IsLower(line[0]))
        {
            text.Length--;
            text.Append(line);
            return;
        }

        text.Append(' ').Append(line);
    }

    private sealed record Line(int Block, string Text, double Top, double Bottom);

    private sealed record PageLines(int Number, List<Line> Lines);

    /// <summary>The document outline flattened to (page, target top, heading path) in page and position order.</summary>
    private sealed class Outline
    {
        private readonly List<(int Page, double? Top, string[] Path)> _entries = [];

        public static Outline From(PdfDocument document)
        {
            var outline = new Outline();
            if (document.TryGetBookmarks(out var bookmarks))
            {
                foreach (var root in bookmarks.Roots)
                {
                    outline.Add(root, []);
                }
            }

            // Stable: bookmarks to the same spot keep document order (a chapter before its first section).
            var ordered = outline._entries.OrderBy(e => e.Page).ThenByDescending(e => e.Top ?? double.MaxValue).ToList();
            outline._entries.Clear();
            outline._entries.AddRange(ordered);
            return outline;
        }

        /// <summary>The heading path in force at the top of a page: that of the last bookmark on an earlier page.</summary>
        public string[] PathBefore(int page) => _entries.LastOrDefault(e => e.Page < page).Path ?? [];

        /// <summary>The bookmarks that point into a page, top first; a bookmark without a position points at the page's top.</summary>
        public List<(int Page, double? Top, string[] Path)> StartsOn(int page) => _entries.Where(e => e.Page == page).ToList();

        private void Add(UglyToad.PdfPig.Outline.BookmarkNode node, string[] parent)
        {
            var title = Ligatures.Expand(Whitespace.Collapse(node.Title ?? ""));
            var path = title.Length == 0 ? parent : [.. parent, title];
            if (node is UglyToad.PdfPig.Outline.DocumentBookmarkNode { PageNumber: > 0 } target)
            {
                _entries.Add((target.PageNumber, target.Destination?.Coordinates?.Top, path));
            }

            foreach (var child in node.Children)
            {
                Add(child, path);
            }
        }
    }
}
