using System.Text;
using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads Word documents (<c>.docx</c>, <c>.docm</c>, <c>.dotx</c>: Office Open XML, transitional or strict), streaming
/// the main document part:
/// <list type="bullet">
/// <item>headings are paragraphs whose style (or a style it is based on) has an outline level, or is named
/// <c>heading 1</c>…<c>heading 9</c> (Word writes these English names whatever its language); they become section
/// paths. A <c>Title</c> paragraph names the document when its properties do not;</item>
/// <item>tables of contents and indexes are left out: content controls of the "Table of Contents" gallery,
/// <c>TOC</c>/<c>INDEX</c> fields, paragraphs in <c>toc N</c>/<c>index N</c> styles, and list paragraphs of nothing
/// but links to bookmarks (letters outside the links at most a tenth of those in them);</item>
/// <item>tracked changes read as accepted (deleted text out, inserted text in); field codes, comments, headers and
/// footers are left out; a table row is one paragraph with its cells separated by <c> | </c>; list paragraphs start
/// with <c>- </c>; text boxes join the paragraph that anchors them; footnotes and endnotes follow the paragraph that
/// references them.</item>
/// </list>
/// Pages come from the last layout saved with the file: where Word broke pages when it saved (rendered page breaks),
/// and explicit page breaks; a paragraph is on the page where its text starts. A file that no layout has saved (one
/// written by a converter or a library) has no rendered breaks, and then sections carry no pages. The title is the document properties' title, else the
/// first <c>Title</c> paragraph, else the first level-1 heading, else the file name. A password-protected file raises
/// <see cref="DocumentReadFailure.Encrypted"/>; a legacy <c>.doc</c>, a damaged zip or XML with a DTD
/// <see cref="DocumentReadFailure.Corrupt"/>; parts that expand past <see cref="PackageDocumentReader.MaxExpandedBytes"/>
/// <see cref="DocumentReadFailure.TooLarge"/>.
/// </summary>
public sealed class DocxDocumentReader : PackageDocumentReader
{
    private const string Transitional = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private const string Strict = "http://purl.oclc.org/ooxml/wordprocessingml/main";
    private const string MarkupCompatibility = "http://schemas.openxmlformats.org/markup-compatibility/2006";

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public DocxDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".docx", ".docm", ".dotx"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "a Word document", MaxExpandedBytes);
        var rootRelations = package.RelationshipsByType("");
        var documentPart = rootRelations.GetValueOrDefault("officeDocument") ?? "word/document.xml";
        if (!package.Contains(documentPart))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not a Word document: it has no main document part ('{documentPart}').");
        }

        var relations = package.RelationshipsByType(documentPart);
        var styles = Styles.Read(package, relations.GetValueOrDefault("styles") ?? ZipPackage.Resolve(documentPart, "styles.xml")!);
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kind in (ReadOnlySpan<string>)["footnotes", "endnotes"])
        {
            if ((relations.GetValueOrDefault(kind) ?? ZipPackage.Resolve(documentPart, kind + ".xml")) is { } part)
            {
                ReadNotes(package, part, kind, notes, cancellationToken);
            }
        }

        var document = package.Read(documentPart)!;
        var walker = new Walker(package, documentPart, styles, notes, cancellationToken);
        if (document.AsSpan().IndexOf("lastRenderedPageBreak"u8) >= 0)
        {
            walker.Blocks.Paginate(package.StatedPageCount(rootRelations.GetValueOrDefault("extended-properties") ?? "docProps/app.xml"));
        }

        walker.Read(document);
        var sections = walker.Blocks.Sections.Build();
        var title = package.DublinCoreTitle(rootRelations.GetValueOrDefault("core-properties") ?? "docProps/core.xml")
            ?? walker.Title
            ?? walker.Blocks.Sections.FirstTopHeading
            ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections);
    }

    private static bool IsWord(XmlReader reader) => reader.NamespaceURI is Transitional or Strict;

    private static string? WordAttribute(XmlReader reader, string name) =>
        reader.GetAttribute(name, Transitional) ?? reader.GetAttribute(name, Strict);

    /// <summary>Reads footnotes or endnotes (separators left out) by <c>kind:id</c>.</summary>
    private static void ReadNotes(ZipPackage package, string part, string kind, Dictionary<string, string> notes, CancellationToken cancellationToken)
    {
        using var reader = package.OpenXml(part);
        if (reader is null)
        {
            return;
        }

        try
        {
            var text = new StringBuilder();
            string? id = null;
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.NodeType == XmlNodeType.Element && IsWord(reader))
                {
                    switch (reader.LocalName)
                    {
                        case "footnote" or "endnote":
                            var type = WordAttribute(reader, "type");
                            if (type is "separator" or "continuationSeparator" or "continuationNotice" || reader.IsEmptyElement)
                            {
                                reader.Skip();
                                continue;
                            }

                            id = WordAttribute(reader, "id");
                            text.Clear();
                            break;
                        case "t":
                            text.Append(reader.ReadElementContentAsString());
                            continue;
                        case "tab" or "br" or "cr":
                            text.Append(' ');
                            break;
                        case "p" when text.Length > 0:
                            text.Append(' ');
                            break;
                        case "del" or "delText" or "instrText" or "moveFrom" or "rPr" or "pPr":
                            reader.Skip();
                            continue;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && IsWord(reader) && reader.LocalName is "footnote" or "endnote" && id is not null)
                {
                    notes[kind + ":" + id] = text.ToString();
                    id = null;
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }
    }

    /// <summary>The paragraph styles of <c>styles.xml</c>: name, base style and outline level.</summary>
    private sealed class Styles
    {
        private readonly Dictionary<string, (string Name, string? BasedOn, int? Outline)> _styles = new(StringComparer.Ordinal);

        public static Styles Read(ZipPackage package, string part)
        {
            var styles = new Styles();
            using var reader = package.OpenXml(part);
            if (reader is null)
            {
                return styles;
            }

            try
            {
                string? id = null;
                string name = "";
                string? basedOn = null;
                int? outline = null;
                while (!reader.EOF)
                {
                    if (reader.NodeType == XmlNodeType.Element && IsWord(reader))
                    {
                        switch (reader.LocalName)
                        {
                            case "style":
                                id = WordAttribute(reader, "type") is null or "paragraph" ? WordAttribute(reader, "styleId") : null;
                                (name, basedOn, outline) = ("", null, null);
                                if (reader.IsEmptyElement && id is not null)
                                {
                                    styles._styles.TryAdd(id, (name, basedOn, outline));
                                }

                                break;
                            case "name":
                                name = WordAttribute(reader, "val") ?? "";
                                break;
                            case "basedOn":
                                basedOn = WordAttribute(reader, "val");
                                break;
                            case "outlineLvl" when int.TryParse(WordAttribute(reader, "val"), out var level):
                                outline = level;
                                break;
                            case "rPr" or "tblPr" or "tcPr" or "trPr" or "tblStylePr":
                                reader.Skip();
                                continue;
                        }
                    }
                    else if (reader.NodeType == XmlNodeType.EndElement && IsWord(reader) && reader.LocalName == "style" && id is not null)
                    {
                        styles._styles.TryAdd(id, (name, basedOn, outline));
                        id = null;
                    }

                    reader.Read();
                }
            }
            catch (XmlException e)
            {
                throw package.XmlError(part, e);
            }

            return styles;
        }

        /// <summary>The style's name, lower case, or its id when it has none.</summary>
        public string Name(string styleId) =>
            (_styles.TryGetValue(styleId, out var style) && style.Name.Length > 0 ? style.Name : styleId).ToLowerInvariant();

        /// <summary>
        /// The heading level (1–9) a style gives, or 0: the first of the style and the styles it is based on (16 deep
        /// at most) with an outline level or a heading name ("heading 1" as Word names it; "Heading1" as an id reads
        /// when styles.xml is missing) decides.
        /// </summary>
        public int HeadingLevel(string styleId)
        {
            var id = styleId;
            for (var depth = 0; depth < 16 && id is not null; depth++)
            {
                if (_styles.TryGetValue(id, out var style) && style.Outline is { } outline)
                {
                    return outline is >= 0 and <= 8 ? outline + 1 : 0;
                }

                if (WordFields.HeadingLevel(Name(id)) is > 0 and var named)
                {
                    return named;
                }

                id = _styles.TryGetValue(id, out style) ? style.BasedOn : null;
            }

            return 0;
        }
    }

    private sealed class Walker(ZipPackage package, string part, Styles styles, Dictionary<string, string> notes, CancellationToken cancellationToken)
    {
        private readonly Stack<Paragraph> _paragraphs = new();
        private readonly WordFields _fields = new();
        private readonly Stack<bool> _contentControls = new();

        public OfficeBlocks Blocks { get; } = new(new SectionBuilder());

        public string? Title { get; private set; }

        public void Read(byte[] document)
        {
            using var reader = ZipPackage.Xml(document);
            try
            {
                var nodes = 0;
                while (!reader.EOF)
                {
                    if ((++nodes & 4095) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == MarkupCompatibility && reader.LocalName == "Fallback")
                    {
                        // The same content as the Choice before it (a text box drawn two ways).
                        reader.Skip();
                        continue;
                    }

                    if (reader.NodeType == XmlNodeType.Element && IsWord(reader))
                    {
                        if (Element(reader))
                        {
                            continue;
                        }
                    }
                    else if (reader.NodeType == XmlNodeType.EndElement && IsWord(reader))
                    {
                        EndElement(reader.LocalName);
                    }

                    reader.Read();
                }
            }
            catch (XmlException e)
            {
                throw package.XmlError(part, e);
            }
        }

        /// <summary>Handles a start tag; returns true when the reader was moved past it.</summary>
        private bool Element(XmlReader reader)
        {
            var empty = reader.IsEmptyElement;
            switch (reader.LocalName)
            {
                case "p":
                    _paragraphs.Push(new Paragraph());
                    Blocks.BeginParagraph();
                    if (empty)
                    {
                        EndElement("p");
                    }

                    return false;
                case "pStyle" when _paragraphs.TryPeek(out var paragraph):
                    paragraph.Style = WordAttribute(reader, "val");
                    return false;
                case "outlineLvl" when _paragraphs.TryPeek(out var paragraph) && int.TryParse(WordAttribute(reader, "val"), out var level):
                    paragraph.Outline = level;
                    return false;
                case "numId" when _paragraphs.TryPeek(out var paragraph):
                    paragraph.ListItem = WordAttribute(reader, "val") is { } numbering && numbering != "0";
                    return false;
                case "t":
                    var text = reader.ReadElementContentAsString();
                    if (_fields.Visible)
                    {
                        Blocks.Text(text);
                    }
                    else if (_fields.InGeneratedList)
                    {
                        Blocks.OnPage(text);
                    }

                    return true;
                case "tab" or "ptab" when _fields.Visible:
                    Blocks.Text("\t");
                    return false;
                case "br" or "cr":
                    if (reader.LocalName == "br" && WordAttribute(reader, "type") == "page")
                    {
                        Blocks.PageBreak(rendered: false);
                    }

                    if (_fields.Visible)
                    {
                        Blocks.Text("\n");
                    }

                    return false;
                case "lastRenderedPageBreak":
                    Blocks.PageBreak(rendered: true);
                    return false;
                case "pageBreakBefore" when _paragraphs.Count > 0 && WordAttribute(reader, "val") is null or "1" or "true" or "on":
                    Blocks.PageBreak(rendered: false);
                    return false;
                case "sectPr" when _paragraphs.TryPeek(out var ending):
                    // A section ends with this paragraph; unless it is continuous, the next one starts a page.
                    ending.EndsPage = SectionStartsPage(reader);
                    return true;
                case "noBreakHyphen" when _fields.Visible:
                    Blocks.Text("-");
                    return false;
                case "footnoteReference" or "endnoteReference":
                    var kind = reader.LocalName == "footnoteReference" ? "footnotes" : "endnotes";
                    if (_paragraphs.TryPeek(out var referrer) && WordAttribute(reader, "id") is { } id && notes.TryGetValue(kind + ":" + id, out var note))
                    {
                        (referrer.Notes ??= []).Add(note);
                    }

                    return false;
                case "instrText":
                    _fields.Code(reader.ReadElementContentAsString());
                    return true;
                case "fldChar":
                    FieldCharacter(WordAttribute(reader, "fldCharType"));
                    return false;
                case "fldSimple" when WordFields.IsGenerated(WordAttribute(reader, "instr") ?? ""):
                    reader.Skip();
                    return true;
                case "sdt":
                    if (!empty)
                    {
                        _contentControls.Push(false);
                    }

                    return false;
                case "docPartGallery" when _contentControls.Count > 0:
                    var gallery = WordAttribute(reader, "val") ?? "";
                    if (gallery.StartsWith("Table of Contents", StringComparison.OrdinalIgnoreCase) || gallery.StartsWith("Index", StringComparison.OrdinalIgnoreCase))
                    {
                        _contentControls.Pop();
                        _contentControls.Push(true);
                    }

                    return false;
                case "sdtContent" when _contentControls.TryPeek(out var tableOfContents) && tableOfContents:
                    SkipKeepingPages(reader);
                    return true;
                case "hyperlink" when !empty:
                    Blocks.BeginLink(toAnchor: WordAttribute(reader, "anchor") is { Length: > 0 });
                    return false;
                case "tbl":
                    if (!empty)
                    {
                        Blocks.BeginTable();
                    }

                    return false;
                case "tr":
                    Blocks.BeginRow();
                    return false;
                case "tc":
                    Blocks.BeginCell();
                    return false;
                case "del" or "delText" or "moveFrom" or "rPr" or "sectPr" or "tblPr" or "tblGrid" or "trPr" or "tcPr"
                    or "commentReference" or "annotationRef" or "pPrChange":
                    reader.Skip();
                    return true;
                default:
                    return false;
            }
        }

        private void EndElement(string name)
        {
            switch (name)
            {
                case "p" when _paragraphs.TryPop(out var paragraph):
                    var text = Blocks.EndParagraph();
                    if (paragraph.EndsPage)
                    {
                        Blocks.PageBreak(rendered: false);
                    }

                    if (_paragraphs.Count == 0)
                    {
                        _fields.DropUnfinishedCodes();
                    }

                    var styleName = paragraph.Style is { } style ? styles.Name(style) : "";
                    if (styleName.StartsWith("toc ", StringComparison.Ordinal) || styleName.StartsWith("index ", StringComparison.Ordinal)
                        || styleName is "toc heading" or "tocheading" or "index heading"
                        || (paragraph.ListItem && Blocks.OnlyAnchorLinks))
                    {
                        return;
                    }

                    var level = paragraph.Outline is { } outline ? (outline is >= 0 and <= 8 ? outline + 1 : 0)
                        : paragraph.Style is { } id ? styles.HeadingLevel(id) : 0;
                    foreach (var note in paragraph.Notes ?? [])
                    {
                        Blocks.Note(note);
                    }

                    if (styleName == "title" && text.Length > 0 && _paragraphs.Count == 0)
                    {
                        Title ??= Whitespace.Collapse(text);
                        Blocks.Heading(1, text);
                    }
                    else if (level > 0 && text.Length > 0)
                    {
                        Blocks.Heading(level, text);
                    }
                    else
                    {
                        Blocks.Emit(text, paragraph.ListItem);
                    }

                    break;
                case "sdt" when _contentControls.Count > 0:
                    _contentControls.Pop();
                    break;
                case "hyperlink":
                    Blocks.EndLink();
                    break;
                case "tbl":
                    Blocks.EndTable();
                    break;
                case "tr":
                    Blocks.EndRow();
                    break;
            }
        }

        /// <summary>Reads a paragraph's section properties (leaving the reader after them): whether the next section starts a page.</summary>
        private static bool SectionStartsPage(XmlReader reader)
        {
            var startsPage = true;
            using var section = reader.ReadSubtree();
            while (section.Read())
            {
                if (section.NodeType == XmlNodeType.Element && IsWord(section) && section.LocalName == "type")
                {
                    startsPage = WordAttribute(section, "val") is not ("continuous" or "nextColumn");
                }
            }

            reader.Skip();
            return startsPage;
        }

        /// <summary>Skips a generated list (a table of contents), counting its text and page breaks for the pages after it.</summary>
        private void SkipKeepingPages(XmlReader reader)
        {
            using (var content = reader.ReadSubtree())
            {
                while (content.Read())
                {
                    if (content.NodeType != XmlNodeType.Element || !IsWord(content))
                    {
                        continue;
                    }

                    switch (content.LocalName)
                    {
                        case "t":
                            Blocks.OnPage(content.ReadString());
                            break;
                        case "lastRenderedPageBreak":
                            Blocks.PageBreak(rendered: true);
                            break;
                        case "br" when WordAttribute(content, "type") == "page":
                        case "pageBreakBefore" when WordAttribute(content, "val") is null or "1" or "true" or "on":
                            Blocks.PageBreak(rendered: false);
                            break;
                    }
                }
            }

            reader.Skip();
        }

        /// <summary>A complex field's begin, separate (code done, result follows) or end.</summary>
        private void FieldCharacter(string? type)
        {
            switch (type)
            {
                case "begin":
                    _fields.Begin();
                    break;
                case "separate":
                    _fields.Separate();
                    break;
                case "end":
                    _fields.End();
                    break;
            }
        }

        private sealed class Paragraph
        {
            public string? Style { get; set; }

            public int? Outline { get; set; }

            public bool ListItem { get; set; }

            public List<string>? Notes { get; set; }

            /// <summary>Whether a section that starts a new page follows this paragraph.</summary>
            public bool EndsPage { get; set; }
        }
    }
}
