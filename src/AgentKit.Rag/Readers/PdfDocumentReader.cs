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
/// <item>words come from the nearest-neighbour word extractor (on a page without space characters, as TeX sets it, a gap
/// over 0.12 em between letters parts words, so tight lines keep their words), blocks from the Docstrum page
/// segmenter (which separates columns), and blocks are put in reading order by the unsupervised reading-order
/// detector;</item>
/// <item>TeX's Computer Modern fonts embedded without a Unicode map (common in LaTeX and Texinfo manuals) are read by
/// their TeX encodings, so their "fi" and "fl" ligatures, dashes, quotes, Greek letters and math symbols are text, not
/// control characters that split words;</item>
/// <item>pieces of one baseline are one line, left to right; a block's lines are joined with spaces, and a word
/// hyphenated across a line break is rejoined; blocks are paragraphs;</item>
/// <item>running headers and footers are dropped: a line among the two top or two bottom lines of a page whose
/// text (numbers ignored, so "Page 3 of 9" matches "Page 14 of 99") recurs in the same band on
/// <see cref="RunningLines.Pages"/> pages or on half of the pages, whichever is fewer (and on two pages at least),
/// so chapter titles repeated over a chapter go too; so do bare page numbers in those bands ("12", "xiv",
/// "Page 12", "- 12 -"), repeated or not;</item>
/// <item>sections come from the document outline (bookmarks) when it has one: a bookmark starts at the first line, in
/// reading order, at or below its target and not left of it (so in its column), and text belongs to the last bookmark
/// started before it, on its page or an earlier one; a page where a new section starts halfway down gives two
/// sections, and on a two-column page a section that starts in the right column starts after the left column; a
/// bookmark that repeats an earlier bookmark's target, or points at a whole page, starts at the line that begins with
/// its title.</item>
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

    /// <summary>
    /// The widest gap between two letters of one word on a page without space characters, as a share of the larger
    /// letter's size (its point size or advance width). TeX writes no spaces: words are told apart by their gaps alone.
    /// Within a word the gap is kerning (under 0.06 em in the manuals measured); between words TeX never shrinks a space
    /// below about 0.16 em (tight justified lines in Linux Libertine). PdfPig's default, 0.2, glued such lines into
    /// one word ("yourwork,thereareanumberof…"). Pages that do write spaces keep the default, so letter-spaced
    /// headings (tracking of 0.15 em) stay whole words.
    /// </summary>
    private const double WordGap = 0.12;

    /// <summary>PdfPig's default widest gap inside a word, in ems.</summary>
    private const double DefaultWordGap = 0.2;

    /// <summary>The share of a page's letters that are spaces from which the page is taken to write its spaces.</summary>
    private const double SpacedPage = 0.05;

    /// <summary>How many of a block's latest rows a line piece is compared with when looking for its row.</summary>
    private const int RowLookBack = 16;

    /// <summary>The widest gap (in ems) between two pieces of one row; pieces further apart are separate lines.</summary>
    private const double MaxRowGap = 3;

    /// <summary>How far apart (as a share of the letter size) two baselines may be and still be one row.</summary>
    private const double BaselineTolerance = 0.2;

    private static readonly NearestNeighbourWordExtractor UnspacedWordExtractor = new(new NearestNeighbourWordExtractor.NearestNeighbourWordExtractorOptions
    {
        // Two marks (a dot leader's dots, spaced 0.17 em) keep the default: as one word they cost the page segmenter less.
        MaximumDistance = (a, b) => (IsMark(a) && IsMark(b) ? DefaultWordGap : WordGap)
            * Math.Max(Math.Max(a.PointSize, b.PointSize), Math.Max(Math.Abs(a.Width), Math.Abs(b.Width))),
    });

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
            var path = Array.Empty<string>();
            foreach (var page in pages)
            {
                path = AddPageSections(sections, page, repeated, outline, path);
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

        var letters = TexFontEncoding.Repair(page.Letters);
        var spaces = letters.Count(l => l.Value.Length > 0 && char.IsWhiteSpace(l.Value[0]));
        var words = (spaces >= SpacedPage * letters.Count ? NearestNeighbourWordExtractor.Instance : UnspacedWordExtractor).GetWords(letters);
        var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
        var ordered = UnsupervisedReadingOrderDetector.Instance.Get(blocks);
        var blockIndex = 0;
        foreach (var block in ordered)
        {
            foreach (var row in Rows(block.TextLines))
            {
                var text = Ligatures.Expand(string.Join(' ', row.SelectMany(l => l.Words).Select(w => w.Text)).Trim());
                if (text.Length > 0)
                {
                    lines.Add(new Line(blockIndex, text, row.Max(l => l.BoundingBox.Top), row.Min(l => l.BoundingBox.Bottom), row.Max(l => l.BoundingBox.Right)));
                }
            }

            blockIndex++;
        }

        return new PageLines(page.Number, lines);
    }

    /// <summary>
    /// A block's lines with the pieces of one baseline joined, left to right. Docstrum leaves the words of a loose
    /// justified line (word gaps over an em) as one-word lines in no useful order ("We the of copy a with start you that
    /// recommend"); a piece joins a row of the last <see cref="RowLookBack"/> rows on its baseline that it does not overlap,
    /// and a row is cut where two pieces are more than <see cref="MaxRowGap"/> ems apart.
    /// </summary>
    private static List<List<TextLine>> Rows(IReadOnlyList<TextLine> lines)
    {
        var rows = new List<List<TextLine>>(lines.Count);
        foreach (var line in lines)
        {
            List<TextLine>? row = null;
            if (line.TextOrientation == TextOrientation.Horizontal)
            {
                for (var i = rows.Count - 1; i >= Math.Max(0, rows.Count - RowLookBack) && row is null; i--)
                {
                    if (rows[i][0].TextOrientation == TextOrientation.Horizontal
                        && Math.Abs(Baseline(rows[i][0]) - Baseline(line)) <= BaselineTolerance * LetterSize(line)
                        && rows[i].All(piece => piece.BoundingBox.Right <= line.BoundingBox.Left || line.BoundingBox.Right <= piece.BoundingBox.Left))
                    {
                        row = rows[i];
                    }
                }
            }

            if (row is null)
            {
                rows.Add([line]);
            }
            else
            {
                row.Add(line);
            }
        }

        // Pieces far apart stay apart (a page header's date at the left and title in the middle), so that a running
        // header is the same line on every page whichever pieces Docstrum put in one block.
        return rows.SelectMany(SplitAtWideGaps).ToList();

        static IEnumerable<List<TextLine>> SplitAtWideGaps(List<TextLine> pieces)
        {
            // Sorted once, stably: pieces starting at the same x keep Docstrum's order.
            List<TextLine> row = [.. pieces.OrderBy(piece => piece.BoundingBox.Left)];
            var start = 0;
            for (var i = 1; i < row.Count; i++)
            {
                if (row[i].BoundingBox.Left - row[i - 1].BoundingBox.Right > MaxRowGap * Math.Max(LetterSize(row[i]), LetterSize(row[i - 1])))
                {
                    yield return row[start..i];
                    start = i;
                }
            }

            yield return start == 0 ? row : row[start..];
        }

        static double Baseline(TextLine line) => line.Words[0].Letters[0].StartBaseLine.Y;

        static double LetterSize(TextLine line) => Math.Max(line.Words[0].Letters[0].PointSize, 1);
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

    private static bool IsMark(Letter letter) => letter.Value.Length == 1 && char.IsPunctuation(letter.Value[0]);

    /// <summary>
    /// Adds the page's text split where bookmarks start, each piece under the heading path that covers it, and returns
    /// the heading path in force at the end of the page.
    /// </summary>
    private static string[] AddPageSections(List<DocumentSection> sections, PageLines page, HashSet<string> repeated, Outline outline, string[] path)
    {
        var dropped = BandLines(page).Where(l => repeated.Contains(RunningLines.Key(l.Text)) || RunningLines.IsPageNumber(l.Text)).ToHashSet();
        var lines = page.Lines.Where(l => !dropped.Contains(l)).ToList();

        // A bookmark starts at the first line, in reading order, at or below its target and in its column (not left of
        // the target): in a two-column page, a section starting high in the right column starts after the left column.
        var targets = new HashSet<(double?, double?)>();
        string[]? lineLetters = null;
        var starts = new List<(int Line, double? Top, string[] Path)>();
        foreach (var start in outline.StartsOn(page.Number))
        {
            var line = start.Top is null || !targets.Add((start.Left, start.Top)) ? TitleLine(start) : AnchorLine(lines, start);
            if (line >= 0)
            {
                starts.Add((line, start.Top, start.Path));
            }
        }

        starts = [.. starts.OrderBy(s => s.Line).ThenByDescending(s => s.Top ?? double.MaxValue)];
        var next = 0;
        var text = new StringBuilder();
        var block = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (next < starts.Count && starts[next].Line == i)
            {
                Flush();
                while (next < starts.Count && starts[next].Line == i)
                {
                    path = starts[next++].Path;
                }
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

        Flush();

        // Bookmarks below the page's last line (or on a page without text) hold for the pages after it.
        return next < starts.Count ? starts[^1].Path : path;

        // A bookmark whose target repeats an earlier one's (LaTeX's \section* without an anchor of its own points at the
        // last anchor set) starts at the first line from there that begins with its title, and is left out without one;
        // a bookmark to a whole page (no position: reportlab's) starts at its title's line, else at the page's top.
        int TitleLine(Outline.Entry start)
        {
            var from = AnchorLine(lines, start);
            var title = Letters(start.Path.Length > 0 ? start.Path[^1] : "");
            var found = -1;
            if (title.Length >= 3 && from < lines.Count)
            {
                lineLetters ??= [.. lines.Select(l => Letters(l.Text))];
                found = Array.FindIndex(lineLetters, from, l => l.StartsWith(title, StringComparison.Ordinal));
            }

            return found < 0 && start.Top is null ? 0 : found;
        }

        void Flush()
        {
            var content = text.ToString().Trim();
            text.Clear();
            block = -1;
            if (content.Length > 0)
            {
                sections.Add(new DocumentSection(path, content, page.Number));
            }
        }
    }

    /// <summary>The index of the first line, in reading order, that a bookmark points at or above; the line count if none.</summary>
    private static int AnchorLine(List<Line> lines, Outline.Entry start)
    {
        if (start.Top is not { } top)
        {
            return 0;
        }

        var index = lines.FindIndex(l => l.Top <= top + BookmarkTolerance && (start.Left is not { } left || left <= l.Right + BookmarkTolerance));
        return index < 0 ? lines.Count : index;
    }

    private static string Letters(string text) => string.Concat(text.Where(char.IsLetter).Select(char.ToLowerInvariant));

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

    private sealed record Line(int Block, string Text, double Top, double Bottom, double Right);

    private sealed record PageLines(int Number, List<Line> Lines);

    /// <summary>The document outline flattened to (page, target position, heading path) in document order.</summary>
    private sealed class Outline
    {
        private readonly List<Entry> _entries = [];
        private ILookup<int, Entry>? _byPage;

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

        /// <summary>The bookmarks that point into a page, in document order; one without a position points at the page's top.</summary>
        public IEnumerable<Entry> StartsOn(int page) => (_byPage ??= _entries.ToLookup(e => e.Page))[page];

        private void Add(UglyToad.PdfPig.Outline.BookmarkNode node, string[] parent)
        {
            var title = Ligatures.Expand(Whitespace.Collapse(node.Title ?? ""));
            var path = title.Length == 0 ? parent : [.. parent, title];
            if (node is UglyToad.PdfPig.Outline.DocumentBookmarkNode { PageNumber: > 0 } target)
            {
                var coordinates = target.Destination?.Coordinates;
                _entries.Add(new Entry(target.PageNumber, coordinates?.Left, coordinates?.Top, path));
            }

            foreach (var child in node.Children)
            {
                Add(child, path);
            }
        }

        /// <summary>A bookmark: its page, the left and top of its target where given, and its heading path.</summary>
        public sealed record Entry(int Page, double? Left, double? Top, string[] Path);
    }
}
