using System.Security.Cryptography;
using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace ShopBot.Policies;

/// <summary>
/// Prints the Markdown policy documents into one PDF handbook (PdfPig's builder): headings in bold, paragraphs
/// and list items wrapped, a page footer. Rewritten only when the sources change, so a restart does not make the
/// knowledge base re-ingest an identical document.
/// </summary>
public static class PolicyPdfWriter
{
    private const double Margin = 56;
    private const double BodySize = 10;
    private const double LineHeight = 14;
    private const int WrapColumns = 92;

    /// <summary>Writes the handbook from every <c>*.md</c> in <paramref name="policiesDirectory"/> (by name) unless it is current.</summary>
    /// <param name="policiesDirectory">The Markdown sources.</param>
    /// <param name="pdfPath">The PDF to write.</param>
    /// <returns>True when the PDF was (re)written.</returns>
    public static bool WriteIfChanged(string policiesDirectory, string pdfPath)
    {
        var sources = Directory.GetFiles(policiesDirectory, "*.md", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToList();
        var fingerprint = Fingerprint(sources);
        var stampPath = pdfPath + ".sources";
        if (File.Exists(pdfPath) && File.Exists(stampPath) && File.ReadAllText(stampPath) == fingerprint)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pdfPath))!);
        File.WriteAllBytes(pdfPath, Render(sources.Select(File.ReadAllText)));
        File.WriteAllText(stampPath, fingerprint);
        return true;
    }

    /// <summary>Renders Markdown documents into one PDF.</summary>
    /// <param name="documents">The Markdown texts, in order.</param>
    /// <returns>The PDF bytes.</returns>
    public static byte[] Render(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var writer = new PageWriter(builder, regular, bold);
        foreach (var markdown in documents)
        {
            writer.NewPage();
            foreach (var block in Markdown.Parse(markdown))
            {
                switch (block)
                {
                    case HeadingBlock heading:
                        writer.Gap(heading.Level == 1 ? 0 : 6);
                        writer.Line(InlineText(heading.Inline), heading.Level == 1 ? 16 : 12, strong: true);
                        writer.Gap(4);
                        break;
                    case ParagraphBlock paragraph:
                        writer.Paragraph(InlineText(paragraph.Inline), string.Empty);
                        writer.Gap(6);
                        break;
                    case ListBlock list:
                        var number = 1;
                        foreach (var item in list.OfType<ListItemBlock>())
                        {
                            var text = string.Join(" ", item.OfType<ParagraphBlock>().Select(p => InlineText(p.Inline)));
                            writer.Paragraph(text, list.IsOrdered ? $"{number++}. " : "- ");
                        }

                        writer.Gap(6);
                        break;
                }
            }
        }

        writer.Finish();
        return builder.Build();
    }

    private static string Fingerprint(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string InlineText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        Append(inline, text);
        return text.ToString().Trim();

        static void Append(Inline? node, StringBuilder text)
        {
            switch (node)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case LineBreakInline:
                    text.Append(' ');
                    break;
                case ContainerInline container:
                    foreach (var child in container)
                    {
                        Append(child, text);
                    }

                    break;
            }
        }
    }

    /// <summary>Places lines top to bottom, starting a new page when one is full.</summary>
    private sealed class PageWriter(PdfDocumentBuilder builder, PdfDocumentBuilder.AddedFont regular, PdfDocumentBuilder.AddedFont boldFont)
    {
        private PdfPageBuilder? _page;
        private double _y;
        private int _pages;

        public void NewPage()
        {
            Footer();
            _page = builder.AddPage(PageSize.A4);
            _pages++;
            _y = _page.PageSize.Top - Margin;
        }

        public void Gap(double points) => _y -= points;

        public void Line(string text, double size, bool strong)
        {
            if (_page is null || _y < Margin + LineHeight)
            {
                NewPage();
            }

            _page!.AddText(Printable(text), size, new PdfPoint(Margin, _y), strong ? boldFont : regular);
            _y -= Math.Max(LineHeight, size + 4);
        }

        public void Paragraph(string text, string prefix)
        {
            var indent = new string(' ', prefix.Length);
            var first = true;
            foreach (var line in Wrap(text, WrapColumns - prefix.Length))
            {
                Line((first ? prefix : indent) + line, BodySize, strong: false);
                first = false;
            }
        }

        public void Finish() => Footer();

        private void Footer()
        {
            _page?.AddText($"ShopBot policy handbook - page {_pages}", 8, new PdfPoint(Margin, Margin / 2), regular);
        }

        private static IEnumerable<string> Wrap(string text, int columns)
        {
            var line = new StringBuilder();
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > columns)
                {
                    yield return line.ToString();
                    line.Clear();
                }

                line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
            }

            if (line.Length > 0)
            {
                yield return line.ToString();
            }
        }

        // The standard 14 fonts cover WinAnsi only; anything else would fail to encode.
        private static string Printable(string text) =>
            string.Concat(text.Select(c => c switch
            {
                '\u2014' or '\u2013' => '-',
                '\u2019' or '\u2018' => '\'',
                '\u201C' or '\u201D' => '"',
                _ when c < 256 => c,
                _ => '?',
            }));
    }
}
