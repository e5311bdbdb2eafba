using System.Text;
using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads OpenDocument text (<c>.odt</c>, <c>.ott</c>: LibreOffice, Google Docs and Word exports), streaming
/// <c>content.xml</c>: headings (<c>text:h</c>, levelled by their outline level) become section paths; tables of
/// contents (and lists of nothing but links into the document), indexes, bibliographies, tracked deletions and comments
/// are left out; a table row is one paragraph with its cells separated by <c> | </c>; list paragraphs start with
/// <c>- </c>; frames and text boxes join the paragraph that anchors them; footnotes and endnotes follow the paragraph
/// that references them. Sections carry no pages. The title is <c>meta.xml</c>'s, else the first paragraph in the
/// <c>Title</c> style (or an automatic style based on it), else the first level-1 heading, else the file name. A damaged
/// package, XML with a DTD or another OpenDocument kind (a spreadsheet) raises <see cref="DocumentReadFailure.Corrupt"/>;
/// parts expanding past <see cref="PackageDocumentReader.MaxExpandedBytes"/> <see cref="DocumentReadFailure.TooLarge"/>.
/// </summary>
public sealed class OdtDocumentReader : PackageDocumentReader
{
    private const string Text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    private const string Table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
    private const string Office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
    private const string Style = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
    private const string XLink = "http://www.w3.org/1999/xlink";

    /// <summary>The level <see cref="ReadContent"/> gives a title paragraph (style <c>Title</c>, or an automatic style of it).</summary>
    private const int TitleLevel = -1;

    /// <summary>Elements whose content is generated or not part of the text.</summary>
    private static readonly HashSet<string> LeftOut = new(StringComparer.Ordinal)
    {
        "table-of-content", "alphabetical-index", "illustration-index", "table-index", "object-index", "user-index",
        "bibliography", "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls", "note-citation",
    };

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public OdtDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".odt", ".ott"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "an OpenDocument text", MaxExpandedBytes);
        package.RequireMimetype("application/vnd.oasis.opendocument.text");
        if (!package.Contains("content.xml"))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not an OpenDocument text: it has no 'content.xml'.");
        }

        var blocks = new OfficeBlocks(new SectionBuilder());
        var titleParagraph = ReadContent(package, blocks, cancellationToken);
        var sections = blocks.Sections.Build();
        var title = package.DublinCoreTitle("meta.xml") ?? titleParagraph ?? blocks.Sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections);
    }

    /// <summary>Reads <c>content.xml</c> into <paramref name="blocks"/>; returns the first title paragraph's text.</summary>
    private static string? ReadContent(ZipPackage package, OfficeBlocks blocks, CancellationToken cancellationToken)
    {
        using var reader = package.OpenXml("content.xml")!;
        var levels = new Stack<int>();
        var parents = new Dictionary<string, string>(StringComparer.Ordinal);
        string? title = null;
        var lists = 0;
        try
        {
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.NodeType == XmlNodeType.Element)
                {
                    var empty = reader.IsEmptyElement;
                    switch (reader.NamespaceURI, reader.LocalName)
                    {
                        case (Text, var name) when LeftOut.Contains(name):
                        case (Office, "annotation" or "annotation-end" or "forms" or "scripts" or "font-face-decls"):
                            reader.Skip();
                            continue;
                        case (Text, "note"):
                            blocks.Note(NoteText(reader));
                            break;
                        case (Style, "style") when reader.GetAttribute("name", Style) is { } name && reader.GetAttribute("parent-style-name", Style) is { } parent:
                            parents.TryAdd(name, parent);
                            break;
                        case (Text, "p" or "h"):
                            var style = reader.GetAttribute("style-name", Text) ?? "";
                            levels.Push(
                                reader.LocalName == "h" ? Math.Clamp(int.TryParse(reader.GetAttribute("outline-level", Text), out var level) ? level : 1, 1, 10)
                                : (style == "Title" || parents.GetValueOrDefault(style) == "Title") ? TitleLevel
                                : 0);
                            blocks.BeginParagraph();
                            if (empty)
                            {
                                EndParagraph(blocks, levels.Pop(), lists, ref title);
                            }

                            break;
                        case (Text, "s"):
                            blocks.Text(new string(' ', Math.Clamp(int.TryParse(reader.GetAttribute("c", Text), out var count) ? count : 1, 1, 1000)));
                            break;
                        case (Text, "tab"):
                            blocks.Text("\t");
                            break;
                        case (Text, "line-break"):
                            blocks.Text("\n");
                            break;
                        case (Text, "list") when !empty:
                            lists++;
                            break;
                        case (Text, "a") when !empty:
                            blocks.BeginLink(toAnchor: reader.GetAttribute("href", XLink)?.StartsWith('#') == true);
                            break;
                        case (Table, "table") when !empty:
                            blocks.BeginTable();
                            break;
                        case (Table, "table-row"):
                            blocks.BeginRow();
                            break;
                        case (Table, "table-cell"):
                            blocks.BeginCell();
                            break;
                    }
                }
                else if (reader.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace && blocks.InParagraph)
                {
                    // Whitespace-only text nodes inside a paragraph are content (ODF collapses runs, as Tidy does).
                    blocks.Text(reader.Value.Replace('\n', ' '));
                }
                else if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.NamespaceURI, reader.LocalName)
                    {
                        case (Text, "p" or "h") when levels.Count > 0:
                            EndParagraph(blocks, levels.Pop(), lists, ref title);
                            break;
                        case (Text, "list") when lists > 0:
                            lists--;
                            break;
                        case (Text, "a"):
                            blocks.EndLink();
                            break;
                        case (Table, "table"):
                            blocks.EndTable();
                            break;
                        case (Table, "table-row"):
                            blocks.EndRow();
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

        return title;
    }

    private static void EndParagraph(OfficeBlocks blocks, int level, int lists, ref string? title)
    {
        var text = blocks.EndParagraph();
        if (level == TitleLevel && text.Length > 0 && !blocks.InParagraph)
        {
            title ??= Whitespace.Collapse(text);
            blocks.Heading(1, text);
        }
        else if (level > 0 && text.Length > 0)
        {
            blocks.Heading(level, text);
        }
        else if (!(lists > 0 && blocks.OnlyAnchorLinks))
        {
            blocks.Emit(text, listItem: lists > 0);
        }
    }

    /// <summary>The text of a note's body; leaves the reader on the note's end tag.</summary>
    private static string NoteText(XmlReader reader)
    {
        var text = new StringBuilder();
        using var note = reader.ReadSubtree();
        note.Read();
        while (!note.EOF)
        {
            if (note.NodeType == XmlNodeType.Element && note.NamespaceURI == Text && note.LocalName == "note-citation")
            {
                note.Skip();
                continue;
            }

            if (note.NodeType is XmlNodeType.Text or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
            {
                text.Append(note.Value);
            }
            else if (note.NodeType == XmlNodeType.Element && note.NamespaceURI == Text && note.LocalName is "p" or "h" or "s" or "tab" or "line-break")
            {
                text.Append(' ');
            }

            note.Read();
        }

        return text.ToString();
    }
}
