using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Outline;
using UglyToad.PdfPig.Outline.Destinations;
using UglyToad.PdfPig.Writer;

namespace AgentKit.Rag.Tests.Support;

/// <summary>Builds real PDF files for the reader and ingestion tests with PdfPig's writer.</summary>
internal static class TestPdfs
{
    public const double PageWidth = 595;
    public const double PageHeight = 842;

    /// <summary>A PDF with one page per entry of <paramref name="pages"/>, each a list of lines written top-down at the left margin.</summary>
    public static byte[] Simple(params string[][] pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(PageWidth, PageHeight);
            var y = 760.0;
            foreach (var line in lines)
            {
                page.AddText(line, 11, new PdfPoint(60, y), font);
                y -= 15;
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// A multi-page report: every page has the running header "Northwind Field Manual — Internal" and the footer
    /// "Page n of N"; page bodies are the given paragraphs (each a list of lines).
    /// </summary>
    public static byte[] WithRunningHeaderAndFooter(params string[][][] pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        for (var p = 0; p < pages.Length; p++)
        {
            var page = builder.AddPage(PageWidth, PageHeight);
            page.AddText("Northwind Field Manual — Internal", 9, new PdfPoint(60, 805), bold);
            var y = 740.0;
            foreach (var paragraph in pages[p])
            {
                foreach (var line in paragraph)
                {
                    page.AddText(line, 11, new PdfPoint(60, y), font);
                    y -= 14;
                }

                y -= 16;
            }

            page.AddText($"Page {p + 1} of {pages.Length}", 9, new PdfPoint(270, 40), font);
        }

        return builder.Build();
    }

    /// <summary>
    /// A book of <paramref name="pages"/> pages, each with a body line, its bare page number centred at the bottom,
    /// and, on pages 3 to 6 only, the running chapter header "Chapter 2: Maintenance" at the top.
    /// </summary>
    public static byte[] WithPageNumbersAndChapterHeader(int pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var p = 1; p <= pages; p++)
        {
            var page = builder.AddPage(PageWidth, PageHeight);
            if (p is >= 3 and <= 6)
            {
                page.AddText("Chapter 2: Maintenance", 9, new PdfPoint(60, 805), font);
            }

            page.AddText($"Body text of page {Words[p % Words.Length]}.", 11, new PdfPoint(60, 740), font);
            page.AddText(p.ToString(System.Globalization.CultureInfo.InvariantCulture), 9, new PdfPoint(290, 40), font);
        }

        return builder.Build();
    }

    private static readonly string[] Words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima"];

    /// <summary>
    /// Two pages with an outline: "Installing" points at the top of page 1, "Configuring" halfway down page 1, and
    /// "Troubleshooting" near the bottom of page 2; each heading is followed by its paragraph.
    /// </summary>
    public static byte[] WithBookmarksMidPage() => WithOutline(
        [
            [("Installing", 60, 760, 14), ("Unpack the archive into the program folder.", 60, 730, 11), ("Configuring", 60, 400, 14), ("Set the port in the settings file.", 60, 370, 11)],
            [("Restart the service after every change.", 60, 760, 11), ("Troubleshooting", 60, 200, 14), ("Read the log when the service fails to start.", 60, 170, 11)],
        ],
        ("Installing", 1, 0, 776),
        ("Configuring", 1, 0, 416),
        ("Troubleshooting", 2, 0, 216));

    /// <summary>One page with two columns of lines side by side.</summary>
    public static byte[] TwoColumns(string[] left, string[] right)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageWidth, PageHeight);
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var y = 760.0 - (i * 14);
            if (i < left.Length)
            {
                page.AddText(left[i], 10, new PdfPoint(50, y), font);
            }

            if (i < right.Length)
            {
                page.AddText(right[i], 10, new PdfPoint(320, y), font);
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// One page of lines set as TeX sets them: no space characters, each word placed after the previous one with a gap
    /// of its line's <c>WordGapEm</c> of the font size; a <c>|</c> inside a word is a kern of 0.04 em between its pieces.
    /// </summary>
    public static byte[] WordsPlacedWithoutSpaces(params (double WordGapEm, string Text)[] lines)
    {
        const double size = 10;
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.TimesRoman);
        var page = builder.AddPage(PageWidth, PageHeight);
        var y = 760.0;
        foreach (var (gap, line) in lines)
        {
            var x = 60.0;
            foreach (var word in line.Split(' '))
            {
                foreach (var piece in word.Split('|'))
                {
                    x = page.AddText(piece, size, new PdfPoint(x, y), font)[^1].EndBaseLine.X + (0.04 * size);
                }

                x += (gap - 0.04) * size;
            }

            y -= 12;
        }

        return builder.Build();
    }

    /// <summary>
    /// One page of lines set letter by letter, space characters included, with <paramref name="trackingEm"/> of the
    /// font size added after every letter (letter-spaced headings, as design programs set them).
    /// </summary>
    public static byte[] LetterSpaced(double trackingEm, params string[] lines)
    {
        const double size = 12;
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageWidth, PageHeight);
        var y = 760.0;
        foreach (var line in lines)
        {
            var x = 60.0;
            foreach (var c in line)
            {
                x = page.AddText(c.ToString(), size, new PdfPoint(x, y), font)[^1].EndBaseLine.X + (trackingEm * size);
            }

            y -= 16;
        }

        return builder.Build();
    }

    /// <summary>
    /// One page whose "Acknowledgements" bookmark has the target of the "5 Results" bookmark before it, as LaTeX writes
    /// an unnumbered section without an anchor of its own; its heading, "ACKNOWLEDGEMENTS", is further down the page.
    /// </summary>
    public static byte[] WithBookmarkSharingAnEarlierTarget() => WithOutline(
        [[("5 Results", 60, 760, 12), ("The pump ran for six weeks without a fault.", 60, 744, 10), ("ACKNOWLEDGEMENTS", 60, 600, 12), ("We thank the workshop for the test rig.", 60, 584, 10)]],
        ("5 Results", 1, 60, 774),
        ("Acknowledgements", 1, 60, 774));

    /// <summary>
    /// One two-column page with an outline, as a LaTeX paper: "1 Overview" and "2 Setup" start in the left column,
    /// "2 Setup" runs on at the top of the right column, and "3 Usage" starts in the right column higher up the page
    /// than "2 Setup" does in the left one. Each bookmark's target has its column's left edge.
    /// </summary>
    public static byte[] TwoColumnsWithBookmarks() => WithOutline(
        [
            [
                ("1 Overview", 50, 760, 12), ("The overview paragraph opens", 50, 744, 10), ("the paper in the left column.", 50, 730, 10),
                ("2 Setup", 50, 600, 12), ("Setup starts near the bottom", 50, 584, 10), ("of the left column and then", 50, 570, 10),
                ("goes on in the right column", 320, 760, 10), ("with the rest of its steps.", 320, 746, 10),
                ("3 Usage", 320, 700, 12), ("Usage is the last section and", 320, 684, 10), ("it fills the right column.", 320, 670, 10),
            ],
        ],
        ("1 Overview", 1, 50, 774),
        ("2 Setup", 1, 50, 614),
        ("3 Usage", 1, 320, 714));

    /// <summary>
    /// One page with two bookmarks to the whole page, as reportlab writes them: "Returns" and "Refunds", the second
    /// heading halfway down.
    /// </summary>
    public static byte[] WithWholePageBookmarks() => WithOutline(
        [[("Returns", 60, 760, 12), ("Bring the parcel to the desk.", 60, 744, 10), ("Refunds", 60, 500, 12), ("Refunds reach the card in five days.", 60, 484, 10)]],
        ("Returns", 1, 0, null),
        ("Refunds", 1, 0, null));

    /// <summary>
    /// Pages of lines placed at (x, y) in Helvetica (bold from 12 points up), with an outline whose bookmarks point at
    /// (left, top) on their page, or at the whole page where top is null.
    /// </summary>
    private static byte[] WithOutline((string Text, double X, double Y, double Size)[][] pages, params (string Title, int Page, double Left, double? Top)[] bookmarks)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(PageWidth, PageHeight);
            foreach (var (text, x, y, size) in lines)
            {
                page.AddText(text, size, new PdfPoint(x, y), size >= 12 ? bold : font);
            }
        }

        builder.Bookmarks = new Bookmarks(bookmarks
            .Select(b => (BookmarkNode)new DocumentBookmarkNode(
                b.Title,
                0,
                b.Top is { } top
                    ? new ExplicitDestination(b.Page, ExplicitDestinationType.XyzCoordinates, new ExplicitDestinationCoordinates(b.Left, top))
                    : new ExplicitDestination(b.Page, ExplicitDestinationType.FitPage, ExplicitDestinationCoordinates.Empty),
                []))
            .ToList());
        return builder.Build();
    }

    /// <summary>A PDF whose pages are images only (no text layer), like a scan.</summary>
    public static byte[] ImageOnly(int pages = 1)
    {
        var builder = new PdfDocumentBuilder();
        var png = Png(32, 32);
        for (var i = 0; i < pages; i++)
        {
            builder.AddPage(PageWidth, PageHeight).AddPng(png, new PdfRectangle(50, 300, 545, 800));
        }

        return builder.Build();
    }

    /// <summary>A text page followed by an image-only page.</summary>
    public static byte[] TextThenImagePage(string text)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(PageWidth, PageHeight).AddText(text, 11, new PdfPoint(60, 760), font);
        builder.AddPage(PageWidth, PageHeight).AddPng(Png(16, 16), new PdfRectangle(50, 300, 545, 800));
        return builder.Build();
    }

    /// <summary>
    /// A PDF with a Standard security handler (RC4, revision 2) whose user and owner password checks cannot pass
    /// with the empty password: PdfPig cannot write encrypted files, so the trailer of a written file gets an
    /// <c>/Encrypt</c> dictionary and a file identifier.
    /// </summary>
    public static byte[] Encrypted()
    {
        var plain = Encoding.Latin1.GetString(Simple(["A secret memo that needs a password."]));
        var fill = new string('7', 64);
        var encrypt = $"/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <{fill}> /U <{new string('3', 64)}> >> /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] ";
        var at = plain.LastIndexOf("trailer", StringComparison.Ordinal);
        var open = plain.IndexOf("<<", at, StringComparison.Ordinal) + 2;
        return Encoding.Latin1.GetBytes(plain[..open] + " " + encrypt + plain[open..]);
    }

    /// <summary>
    /// A PDF whose lines are set in the named simple fonts declared with no encoding, no Unicode map and no embedded
    /// program, so a reader gets each line's raw character codes, as from the Computer Modern fonts pdfTeX embeds. Each
    /// page is a list of lines: a font name ("ABCDEF+CMR10") and the codes the line shows (characters up to U+00FF).
    /// </summary>
    public static byte[] WithRawFontCodes(params (string Font, string Codes)[][] pages)
    {
        var fonts = pages.SelectMany(p => p).Select(l => l.Font).Distinct().ToList();
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', pages.Select((_, i) => $"{3 + (2 * fonts.Count) + (2 * i)} 0 R"))}] /Count {pages.Length} >>",
        };
        var widths = string.Join(' ', Enumerable.Repeat("500", 256));
        foreach (var font in fonts)
        {
            objects.Add($"<< /Type /Font /Subtype /Type1 /BaseFont /{font} /FirstChar 0 /LastChar 255 /Widths [{widths}] /FontDescriptor {objects.Count + 2} 0 R >>");
            objects.Add($"<< /Type /FontDescriptor /FontName /{font} /Flags 34 /FontBBox [0 -250 1000 750] /ItalicAngle 0 /Ascent 750 /Descent -250 /CapHeight 700 /StemV 80 >>");
        }

        var resources = string.Join(' ', fonts.Select((_, i) => $"/F{i} {3 + (2 * i)} 0 R"));
        foreach (var lines in pages)
        {
            var content = new StringBuilder();
            for (var i = 0; i < lines.Length; i++)
            {
                content.Append(CultureInfo.InvariantCulture, $"BT /F{fonts.IndexOf(lines[i].Font)} 11 Tf 60 {760 - (15 * i)} Td <{Convert.ToHexString(Encoding.Latin1.GetBytes(lines[i].Codes))}> Tj ET\n");
            }

            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] /Resources << /Font << {resources} >> >> /Contents {objects.Count + 2} 0 R >>");
            objects.Add($"<< /Length {content.Length} >>\nstream\n{content}endstream");
        }

        var file = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(file.Length);
            file.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = file.Length;
        file.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            file.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        file.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(file.ToString());
    }

    /// <summary>A file that starts like a PDF and then is garbage.</summary>
    public static byte[] Corrupt() => Encoding.Latin1.GetBytes("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nthis is not a pdf at all\n%%EOF");

    /// <summary>A grey RGB PNG.</summary>
    public static byte[] Png(int width, int height)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(output, "IHDR", header);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + (width * 3)];
            for (var x = 1; x < row.Length; x++)
            {
                row[x] = (byte)(x * 7);
            }

            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        Chunk(output, "IDAT", raw.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        output.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
