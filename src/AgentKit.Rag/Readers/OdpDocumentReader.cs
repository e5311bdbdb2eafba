using System.Text;
using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads OpenDocument presentations (<c>.odp</c>, <c>.otp</c>: LibreOffice Impress), streaming <c>content.xml</c>, as
/// <see cref="PptxDocumentReader"/> reads slide decks: each slide a page, its title frame the section path, its other
/// frames (text boxes, outlines, tables as rows of cells separated by <c> | </c>) the section's text, and its speaker
/// notes a last paragraph starting <c>Notes: </c>. Page-number, date, header and footer frames and comments are left
/// out. The title is <c>meta.xml</c>'s, else the first slide's title, else the file name. Errors as
/// <see cref="OdtDocumentReader"/>.
/// </summary>
public sealed class OdpDocumentReader : PackageDocumentReader
{
    private const string Draw = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0";
    private const string PresentationNamespace = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0";
    private const string Office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
    private const string Text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    private const string Table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public OdpDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".odp", ".otp"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "an OpenDocument presentation", MaxExpandedBytes);
        package.RequireMimetype("application/vnd.oasis.opendocument.presentation");
        if (!package.Contains("content.xml"))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not an OpenDocument presentation: it has no 'content.xml'.");
        }

        var slides = Slides(package, cancellationToken);
        var sections = new SectionBuilder();
        for (var number = 1; number <= slides.Count; number++)
        {
            var slide = slides[number - 1];
            sections.Slide(number, slide.Title.ToString(), slide.Body, slide.Notes);
        }

        var title = package.DublinCoreTitle("meta.xml")
            ?? slides.Select(s => Whitespace.Collapse(s.Title.ToString())).FirstOrDefault(t => t.Length > 0)
            ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections.Build(), slides.Count);
    }

    private static List<Slide> Slides(ZipPackage package, CancellationToken cancellationToken)
    {
        var slides = new List<Slide>();
        using var reader = package.OpenXml("content.xml")!;
        try
        {
            Slide? slide = null;
            var frames = new Stack<string>();
            var inNotes = false;
            var paragraph = new StringBuilder();
            var paragraphs = 0;
            var row = new List<string>();
            var tables = 0;
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var frameClass = frames.Count > 0 ? frames.Peek() : "";
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.NamespaceURI, reader.LocalName)
                    {
                        case (Office, "annotation" or "scripts" or "font-face-decls" or "automatic-styles") or (Draw, "page-thumbnail"):
                            reader.Skip();
                            continue;
                        case (Draw, "page") when !reader.IsEmptyElement:
                            slide = new Slide();
                            slides.Add(slide);
                            break;
                        case (PresentationNamespace, "notes") when !reader.IsEmptyElement:
                            inNotes = true;
                            break;
                        case (Draw, "frame" or "custom-shape" or "rect" or "g") when !reader.IsEmptyElement:
                            frames.Push(reader.GetAttribute("class", PresentationNamespace) ?? frameClass);
                            break;
                        case (Text, "p" or "h") when !reader.IsEmptyElement:
                            if (paragraphs++ == 0)
                            {
                                paragraph.Clear();
                            }

                            break;
                        case (Text, "s" or "tab"):
                            paragraph.Append(' ');
                            break;
                        case (Text, "line-break"):
                            paragraph.Append('\n');
                            break;
                        case (Text, "page-number" or "date" or "time"):
                            reader.Skip();
                            continue;
                        case (Table, "table") when !reader.IsEmptyElement:
                            tables++;
                            break;
                        case (Table, "table-row") when tables == 1:
                            row.Clear();
                            break;
                        case (Table, "table-cell") when tables == 1:
                            row.Add("");
                            break;
                    }
                }
                else if (reader.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace && paragraphs > 0)
                {
                    paragraph.Append(reader.Value);
                }
                else if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.NamespaceURI, reader.LocalName)
                    {
                        case (Draw, "page"):
                            slide = null;
                            break;
                        case (PresentationNamespace, "notes"):
                            inNotes = false;
                            break;
                        case (Draw, "frame" or "custom-shape" or "rect" or "g") when frames.Count > 0:
                            frames.Pop();
                            break;
                        case (Text, "p" or "h") when paragraphs > 0:
                            if (--paragraphs == 0 && slide is not null)
                            {
                                Place(slide, OfficeBlocks.Tidy(paragraph.ToString()), frameClass, inNotes, tables > 0 ? row : null);
                            }
                            else if (paragraphs > 0)
                            {
                                paragraph.Append(' ');
                            }

                            break;
                        case (Table, "table-row") when tables == 1 && slide is not null:
                            if (string.Join(" | ", row).Trim().Trim('|').Trim() is { Length: > 0 } cells)
                            {
                                (inNotes ? slide.Notes : slide.Body).Add(cells);
                            }

                            row.Clear();
                            break;
                        case (Table, "table") when tables > 0:
                            tables--;
                            break;
                    }
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError("content.xml", e);
        }

        return slides;
    }

    /// <summary>Puts a finished paragraph where its frame says: the title, a table cell, the notes or the body.</summary>
    private static void Place(Slide slide, string text, string frameClass, bool inNotes, List<string>? row)
    {
        if (text.Length == 0 || frameClass is "page-number" or "footer" or "header" or "date-time" or "page")
        {
            return;
        }

        if (row is { Count: > 0 })
        {
            row[^1] = row[^1].Length == 0 ? text.Replace('\n', ' ') : row[^1] + " " + text.Replace('\n', ' ');
        }
        else if (inNotes)
        {
            slide.Notes.Add(text);
        }
        else if (frameClass == "title")
        {
            slide.Title.Append(slide.Title.Length > 0 ? " " : "").Append(text.Replace('\n', ' '));
        }
        else
        {
            slide.Body.Add(text);
        }
    }

    private sealed class Slide
    {
        public StringBuilder Title { get; } = new();

        public List<string> Body { get; } = [];

        public List<string> Notes { get; } = [];
    }
}
