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
/// that references them. Pages come from the last layout saved with the file: a file saved by LibreOffice (or another
/// application that declares <c>text:use-soft-page-breaks</c>) marks where its pages broke, and paragraph and table
/// styles mark explicit breaks; a paragraph is on the page where its text starts. Files without that declaration (from
/// converters) have no pages. The title is <c>meta.xml</c>'s, else the first paragraph in the
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
    private const string Fo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0";

    /// <summary>The level <see cref="ReadContent"/> gives a title paragraph (style <c>Title</c>, or an automatic style of it).</summary>
    private const int TitleLevel = -1;

    /// <summary>Generated lists: on the page, but not read.</summary>
    private static readonly HashSet<string> Generated = new(StringComparer.Ordinal)
    {
        "table-of-content", "alphabetical-index", "illustration-index", "table-index", "object-index", "user-index", "bibliography",
    };

    /// <summary>Elements whose content is not part of the text.</summary>
    private static readonly HashSet<string> LeftOut = new(StringComparer.Ordinal)
    {
        "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls", "note-citation",
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
        var styles = new Styles();
        styles.ReadPart(package, "styles.xml");
        var titleParagraph = ReadContent(package, blocks, styles, cancellationToken);
        var sections = blocks.Sections.Build();
        var title = package.DublinCoreTitle("meta.xml") ?? titleParagraph ?? blocks.Sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections);
    }

    /// <summary>Reads <c>content.xml</c> into <paramref name="blocks"/>; returns the first title paragraph's text.</summary>
    private static string? ReadContent(ZipPackage package, OfficeBlocks blocks, Styles styles, CancellationToken cancellationToken)
    {
        using var reader = package.OpenXml("content.xml")!;
        var paragraphs = new Stack<(int Level, bool BreakAfter)>();
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
                        case (Text, var name) when Generated.Contains(name):
                            SkipKeepingPages(reader, blocks);
                            continue;
                        case (Text, var name) when LeftOut.Contains(name):
                        case (Office, "annotation" or "annotation-end" or "forms" or "scripts" or "font-face-decls"):
                            reader.Skip();
                            continue;
                        case (Office, "text") when reader.GetAttribute("use-soft-page-breaks", Text) == "true":
                            blocks.Paginate(package.StatedPageCount("meta.xml"));
                            break;
                        case (Text, "soft-page-break"):
                            blocks.PageBreak(rendered: true);
                            break;
                        case (Style, _):
                            styles.Visit(reader);
                            break;
                        case (Text, "note"):
                            blocks.Note(NoteText(reader));
                            break;
                        case (Text, "p" or "h"):
                            var style = reader.GetAttribute("style-name", Text) ?? "";
                            if (styles.BreaksBefore(style))
                            {
                                blocks.PageBreak(rendered: false);
                            }

                            paragraphs.Push((
                                reader.LocalName == "h" ? Math.Clamp(int.TryParse(reader.GetAttribute("outline-level", Text), out var level) ? level : 1, 1, 10)
                                : (style == "Title" || styles.Parent(style) == "Title") ? TitleLevel
                                : 0,
                                styles.BreaksAfter(style)));
                            blocks.BeginParagraph();
                            if (empty)
                            {
                                EndParagraph(blocks, paragraphs.Pop(), lists, ref title);
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
                            if (styles.BreaksBefore(reader.GetAttribute("style-name", Table) ?? ""))
                            {
                                blocks.PageBreak(rendered: false);
                            }

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
                        case (Text, "p" or "h") when paragraphs.Count > 0:
                            EndParagraph(blocks, paragraphs.Pop(), lists, ref title);
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

    private static void EndParagraph(OfficeBlocks blocks, (int Level, bool BreakAfter) paragraph, int lists, ref string? title)
    {
        var text = blocks.EndParagraph();
        var level = paragraph.Level;
        if (paragraph.BreakAfter)
        {
            blocks.PageBreak(rendered: false);
        }

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

    /// <summary>Skips a generated list (a table of contents), counting its text and page breaks for the pages after it.</summary>
    private static void SkipKeepingPages(XmlReader reader, OfficeBlocks blocks)
    {
        using (var list = reader.ReadSubtree())
        {
            while (list.Read())
            {
                if (list.NodeType is XmlNodeType.Text)
                {
                    blocks.OnPage(list.Value);
                }
                else if (list.NodeType == XmlNodeType.Element && list.NamespaceURI == Text && list.LocalName == "soft-page-break")
                {
                    blocks.PageBreak(rendered: true);
                }
            }
        }

        reader.Skip();
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

    /// <summary>
    /// Paragraph and table styles (named ones from <c>styles.xml</c>, automatic ones from <c>content.xml</c>, which win):
    /// parent and explicit page breaks. Breaks are inherited from parent styles (16 deep at most); a master page set on
    /// a style itself starts a page.
    /// </summary>
    private sealed class Styles
    {
        private const int MaxDepth = 16;

        private readonly Dictionary<string, Definition> _styles = new(StringComparer.Ordinal);
        private Definition? _current;

        public void ReadPart(ZipPackage package, string part)
        {
            using var reader = package.OpenXml(part);
            if (reader is null)
            {
                return;
            }

            try
            {
                while (reader.Read())
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Style)
                    {
                        Visit(reader);
                    }
                }
            }
            catch (XmlException e)
            {
                throw package.XmlError(part, e);
            }
        }

        /// <summary>Takes in a start tag of the style namespace: a style, or its paragraph or table properties.</summary>
        public void Visit(XmlReader reader)
        {
            switch (reader.LocalName)
            {
                case "style" when reader.GetAttribute("name", Style) is { } name:
                    _current = new Definition(reader.GetAttribute("parent-style-name", Style))
                    {
                        StartsPage = reader.GetAttribute("master-page-name", Style) is { Length: > 0 },
                    };
                    _styles[name] = _current;
                    if (reader.IsEmptyElement)
                    {
                        _current = null;
                    }

                    break;
                case "paragraph-properties" or "table-properties" when _current is not null:
                    _current.Before ??= Break(reader.GetAttribute("break-before", Fo));
                    _current.After ??= Break(reader.GetAttribute("break-after", Fo));
                    break;
                case "style" or "default-style" or "page-layout" or "master-page":
                    _current = null;
                    break;
            }
        }

        public string? Parent(string name) => _styles.GetValueOrDefault(name)?.Parent;

        public bool BreaksBefore(string name) =>
            (_styles.GetValueOrDefault(name)?.StartsPage ?? false) || Inherited(name, style => style.Before);

        public bool BreaksAfter(string name) => Inherited(name, style => style.After);

        private bool Inherited(string name, Func<Definition, bool?> property)
        {
            string? current = name;
            for (var depth = 0; depth < MaxDepth && current is not null && _styles.TryGetValue(current, out var style); depth++)
            {
                if (property(style) is { } value)
                {
                    return value;
                }

                current = style.Parent;
            }

            return false;
        }

        private static bool? Break(string? value) => value is null ? null : value == "page";

        private sealed class Definition(string? parent)
        {
            public string? Parent { get; } = parent;

            public bool StartsPage { get; init; }

            public bool? Before { get; set; }

            public bool? After { get; set; }
        }
    }
}
