using System.Text;
using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads PowerPoint presentations (<c>.pptx</c>, <c>.pptm</c>, <c>.ppsx</c>: Office Open XML) slide by slide in the
/// presentation's order: each slide is a page (sections carry its number), its title placeholder the section path,
/// its other text (shapes, groups, tables as rows of cells separated by <c> | </c>) the section's text, and its
/// speaker notes a last paragraph starting <c>Notes: </c>. Slide-number, date, footer and header placeholders are
/// left out (they repeat on every slide). The title is the document properties' title, else the first slide's title,
/// else the file name. Errors as <see cref="DocxDocumentReader"/>.
/// </summary>
public sealed class PptxDocumentReader : PackageDocumentReader
{
    private const string Drawing = "http://schemas.openxmlformats.org/drawingml/2006/main";
    private const string Presentation = "http://schemas.openxmlformats.org/presentationml/2006/main";
    private const string StrictDrawing = "http://purl.oclc.org/ooxml/drawingml/main";
    private const string StrictPresentation = "http://purl.oclc.org/ooxml/presentationml/main";

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public PptxDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".pptx", ".pptm", ".ppsx"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "a PowerPoint presentation", MaxExpandedBytes);
        var rootRelations = package.RelationshipsByType("");
        var presentationPart = rootRelations.GetValueOrDefault("officeDocument") ?? "ppt/presentation.xml";
        if (!package.Contains(presentationPart))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not a PowerPoint presentation: it has no presentation part ('{presentationPart}').");
        }

        var targets = package.RelationshipsById(presentationPart);
        var slides = SlideOrder(package, presentationPart).Select(id => targets.GetValueOrDefault(id)).OfType<string>().Where(package.Contains).ToList();
        var sections = new SectionBuilder();
        string? firstTitle = null;
        for (var number = 1; number <= slides.Count; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var slide = ReadShapes(package, slides[number - 1], cancellationToken);
            var notes = package.RelationshipsByType(slides[number - 1]).GetValueOrDefault("notesSlide") is { } notesPart
                ? ReadShapes(package, notesPart, cancellationToken).Body
                : [];
            firstTitle ??= slide.Title.Length > 0 ? slide.Title : null;
            sections.Slide(number, slide.Title, slide.Body, notes);
        }

        var title = package.DublinCoreTitle(rootRelations.GetValueOrDefault("core-properties") ?? "docProps/core.xml")
            ?? firstTitle
            ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections.Build(), slides.Count);
    }

    private static bool IsDrawing(XmlReader reader) => reader.NamespaceURI is Drawing or StrictDrawing;

    private static bool IsPresentation(XmlReader reader) => reader.NamespaceURI is Presentation or StrictPresentation;

    /// <summary>The relationship ids of the slides, in the presentation's order.</summary>
    private static List<string> SlideOrder(ZipPackage package, string part)
    {
        var ids = new List<string>();
        using var reader = package.OpenXml(part)!;
        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && IsPresentation(reader) && reader.LocalName == "sldId"
                    && ZipPackage.RelationshipId(reader) is { } id)
                {
                    ids.Add(id);
                }
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }

        return ids;
    }

    /// <summary>A slide's (or notes page's) title and other paragraphs, repeated placeholders left out.</summary>
    private static (string Title, List<string> Body) ReadShapes(ZipPackage package, string part, CancellationToken cancellationToken)
    {
        var title = new StringBuilder();
        var body = new List<string>();
        using var reader = package.OpenXml(part);
        if (reader is null)
        {
            return ("", body);
        }

        try
        {
            var placeholder = "";
            var paragraph = new StringBuilder();
            var row = new List<string>();
            var tables = 0;
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "sp" or "graphicFrame" when IsPresentation(reader):
                            placeholder = "";
                            break;
                        case "ph" when IsPresentation(reader):
                            placeholder = reader.GetAttribute("type") ?? "body";
                            break;
                        case "t" when IsDrawing(reader):
                            paragraph.Append(reader.ReadElementContentAsString());
                            continue;
                        case "br" when IsDrawing(reader):
                            paragraph.Append('\n');
                            break;
                        case "p" when IsDrawing(reader):
                            paragraph.Clear();
                            break;
                        case "tbl" when IsDrawing(reader) && !reader.IsEmptyElement:
                            tables++;
                            break;
                        case "tr" when IsDrawing(reader) && tables == 1:
                            row.Clear();
                            break;
                        case "tc" when IsDrawing(reader) && tables == 1:
                            row.Add("");
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.LocalName)
                    {
                        case "p" when IsDrawing(reader):
                            var text = OfficeBlocks.Tidy(paragraph.ToString());
                            paragraph.Clear();
                            if (text.Length == 0 || placeholder is "sldNum" or "dt" or "ftr" or "hdr" or "sldImg")
                            {
                                break;
                            }

                            if (tables > 0 && row.Count > 0)
                            {
                                row[^1] = row[^1].Length == 0 ? text.Replace('\n', ' ') : row[^1] + " " + text.Replace('\n', ' ');
                            }
                            else if (placeholder is "title" or "ctrTitle")
                            {
                                title.Append(title.Length > 0 ? " " : "").Append(text.Replace('\n', ' '));
                            }
                            else
                            {
                                body.Add(text);
                            }

                            break;
                        case "tr" when IsDrawing(reader) && tables == 1:
                            if (string.Join(" | ", row).Trim().Trim('|').Trim() is { Length: > 0 } cells)
                            {
                                body.Add(cells);
                            }

                            row.Clear();
                            break;
                        case "tbl" when IsDrawing(reader) && tables > 0:
                            tables--;
                            break;
                    }
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }

        return (Whitespace.Collapse(title.ToString()), body);
    }
}
