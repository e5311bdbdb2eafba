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
/// <item>a block's lines are joined with spaces, and a word hyphenated across a line break is rejoined; blocks are
/// paragraphs;</item>
/// <item>running headers and footers are dropped: a line among the two top or two bottom lines of a page whose
/// text (digits ignored, so "Page 3 of 9" matches "Page 4 of 9") recurs in the same band on at least half of
/// the pages, and on two pages or more;</item>
/// <item>the section path of a page comes from the document outline (bookmarks) when it has one.</item>
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

    private const int BandSize = 2;

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
                var text = PageText(page, repeated);
                if (text.Length > 0)
                {
                    sections.Add(new DocumentSection(outline.PathAt(page.Number), text, page.Number));
                }
            }

            var title = document.Information.Title;
            return new RagDocument(
                sourcePath,
                string.IsNullOrWhiteSpace(title) ? Path.GetFileNameWithoutExtension(sourcePath) : Whitespace.Collapse(title),
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

        var words = NearestNeighbourWordExtractor.Instance.GetWords(page.Letters);
        var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
        var ordered = UnsupervisedReadingOrderDetector.Instance.Get(blocks);
        var blockIndex = 0;
        foreach (var block in ordered)
        {
            foreach (var line in block.TextLines)
            {
                var text = string.Join(' ', line.Words.Select(w => w.Text)).Trim();
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
    private static HashSet<string> RepeatedBandLines(List<PageLines> pages)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var textPages = 0;
        foreach (var page in pages)
        {
            if (page.Lines.Count == 0)
            {
                continue;
            }

            textPages++;
            foreach (var key in BandLines(page).Select(l => BandKey(l.Text)).Distinct(StringComparer.Ordinal))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var needed = Math.Max(2, (textPages + 1) / 2);
        return counts.Where(c => c.Value >= needed).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<Line> BandLines(PageLines page)
    {
        var top = page.Lines.OrderByDescending(l => l.Top).Take(BandSize);
        var bottom = page.Lines.OrderBy(l => l.Bottom).Take(BandSize);
        return top.Concat(bottom).Distinct();
    }

    private static string BandKey(string text)
    {
        var key = new StringBuilder(text.Length);
        foreach (var c in Whitespace.Collapse(text))
        {
            key.Append(char.IsDigit(c) ? '#' : char.ToLowerInvariant(c));
        }

        return key.ToString();
    }

    private static string PageText(PageLines page, HashSet<string> repeated)
    {
        var band = repeated.Count == 0 ? [] : BandLines(page).Where(l => repeated.Contains(BandKey(l.Text))).ToHashSet();
        var text = new StringBuilder();
        var block = -1;
        foreach (var line in page.Lines)
        {
            if (band.Contains(line))
            {
                continue;
            }

            if (line.Block != block)
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

        return text.ToString().Trim();
    }

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

    /// <summary>The document outline flattened to (first page, heading path) in document order.</summary>
    private sealed class Outline
    {
        private readonly List<(int Page, string[] Path)> _entries = [];

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

            return outline;
        }

        public string[] PathAt(int page)
        {
            string[] path = [];
            foreach (var entry in _entries)
            {
                if (entry.Page <= page)
                {
                    path = entry.Path;
                }
            }

            return path;
        }

        private void Add(UglyToad.PdfPig.Outline.BookmarkNode node, string[] parent)
        {
            var title = Whitespace.Collapse(node.Title ?? "");
            var path = title.Length == 0 ? parent : [.. parent, title];
            if (node is UglyToad.PdfPig.Outline.DocumentBookmarkNode { PageNumber: > 0 } target)
            {
                _entries.Add((target.PageNumber, path));
            }

            foreach (var child in node.Children)
            {
                Add(child, path);
            }
        }
    }
}
