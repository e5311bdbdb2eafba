using System.IO.Compression;
using System.Text;

namespace AgentKit.Rag.Tests.Support;

/// <summary>Zip packages written part by part: Word, OpenDocument and EPUB files with exactly the markup a test needs.</summary>
internal static class TestPackages
{
    public const string WordNamespaces =
        "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
        + "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
        + "xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\" mc:Ignorable=\"wps\"";

    /// <summary>The path of a file in <c>Readers/Fixtures</c>.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Readers", "Fixtures", name);

    /// <summary>A zip of the given parts (text as UTF-8), in order.</summary>
    public static byte[] Zip(params (string Name, string Text)[] parts) =>
        Zip(parts.Select(p => (p.Name, Encoding.UTF8.GetBytes(p.Text))).ToArray());

    /// <summary>A zip of the given parts, in order.</summary>
    public static byte[] Zip(params (string Name, byte[] Bytes)[] parts)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in parts)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(bytes);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A Word document: <paramref name="body"/> inside <c>w:body</c>, with optional styles, footnotes, core properties
    /// and a page count in the extended properties.
    /// </summary>
    public static byte[] Docx(string body, string? styles = null, string? footnotes = null, string? coreTitle = null, string? namespaces = null, int? pages = null)
    {
        var parts = new List<(string, string)>
        {
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            ("_rels/.rels", Relationships(
                ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "word/document.xml"),
                ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"))),
            ("word/document.xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {namespaces ?? WordNamespaces}><w:body>{body}</w:body></w:document>"),
        };
        var documentRelations = new List<(string, string)>();
        if (styles is not null)
        {
            parts.Add(("word/styles.xml", $"<?xml version=\"1.0\"?><w:styles {WordNamespaces}>{styles}</w:styles>"));
            documentRelations.Add(("http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles", "styles.xml"));
        }

        if (footnotes is not null)
        {
            parts.Add(("word/footnotes.xml", $"<?xml version=\"1.0\"?><w:footnotes {WordNamespaces}>{footnotes}</w:footnotes>"));
            documentRelations.Add(("http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes", "footnotes.xml"));
        }

        parts.Add(("word/_rels/document.xml.rels", Relationships([.. documentRelations])));
        if (coreTitle is not null)
        {
            parts.Add(("docProps/core.xml", "<?xml version=\"1.0\"?><cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
                + $"xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{coreTitle}</dc:title></cp:coreProperties>"));
        }

        if (pages is not null)
        {
            parts[1] = ("_rels/.rels", Relationships(
                ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "word/document.xml"),
                ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
                ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties", "docProps/app.xml")));
            parts.Add(("docProps/app.xml", "<?xml version=\"1.0\"?><Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
                + $"<Pages>{pages}</Pages></Properties>"));
        }

        return Zip([.. parts]);
    }

    /// <summary>A Word paragraph: optional style id, one run of text.</summary>
    public static string WordParagraph(string text, string? style = null) =>
        $"<w:p>{(style is null ? "" : $"<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>")}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>";

    /// <summary>
    /// An OpenDocument text: <paramref name="text"/> inside <c>office:text</c> (with <paramref name="textAttributes"/>),
    /// optional automatic styles, named styles (<c>styles.xml</c>), and a <c>meta.xml</c> title or page count.
    /// </summary>
    public static byte[] Odt(
        string text, string? metaTitle = null, string mimetype = "application/vnd.oasis.opendocument.text", string automaticStyles = "",
        string textAttributes = "", string? styles = null, int? pageCount = null)
    {
        const string Namespaces =
            "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
            + "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" "
            + "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
            + "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\"";
        var parts = new List<(string, string)>
        {
            ("mimetype", mimetype),
            ("content.xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content {Namespaces}>"
                + $"<office:automatic-styles>{automaticStyles}</office:automatic-styles><office:body><office:text {textAttributes}>{text}</office:text></office:body></office:document-content>"),
        };
        if (styles is not null)
        {
            parts.Add(("styles.xml", $"<?xml version=\"1.0\"?><office:document-styles {Namespaces}><office:styles>{styles}</office:styles></office:document-styles>"));
        }

        if (metaTitle is not null || pageCount is not null)
        {
            parts.Add(("meta.xml", $"<?xml version=\"1.0\"?><office:document-meta {Namespaces}><office:meta>"
                + (metaTitle is null ? "" : $"<dc:title>{metaTitle}</dc:title>")
                + (pageCount is null ? "" : $"<meta:document-statistic meta:page-count=\"{pageCount}\"/>")
                + "</office:meta></office:document-meta>"));
        }

        return Zip([.. parts]);
    }

    /// <summary>An EPUB 3 book: the package document at <c>OEBPS/book.opf</c> lists <paramref name="pages"/> (id,
    /// href relative to OEBPS, XHTML) in the manifest in the given order and the spine in <paramref name="spine"/>'s.</summary>
    public static byte[] Epub(string title, (string Id, string Href, string Xhtml)[] pages, string[] spine, string manifestExtra = "", (string Name, string Text)[]? extraParts = null)
    {
        var manifest = string.Concat(pages.Select(p => $"<item id=\"{p.Id}\" href=\"{p.Href}\" media-type=\"application/xhtml+xml\"/>")) + manifestExtra;
        var parts = new List<(string, string)>
        {
            ("mimetype", "application/epub+zip"),
            ("META-INF/container.xml", "<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
                + "<rootfiles><rootfile full-path=\"OEBPS/book.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>"),
            ("OEBPS/book.opf", "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\"><metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                + $"<dc:title>{title}</dc:title></metadata><manifest>{manifest}</manifest><spine>{string.Concat(spine.Select(id => $"<itemref idref=\"{id}\"/>"))}</spine></package>"),
        };
        parts.AddRange(pages.Select(p => ("OEBPS/" + p.Href, p.Xhtml)));
        parts.AddRange(extraParts ?? []);
        return Zip([.. parts]);
    }

    /// <summary>An XHTML page with a title and body.</summary>
    public static string Xhtml(string title, string body) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>{title}</title></head><body>{body}</body></html>";

    private static string Relationships(params (string Type, string Target)[] relations) =>
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + string.Concat(relations.Select((r, i) => $"<Relationship Id=\"rId{i + 1}\" Type=\"{r.Type}\" Target=\"{r.Target}\"/>"))
        + "</Relationships>";
}
