using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads EPUB books (<c>.epub</c>, versions 2 and 3): the package document named by <c>META-INF/container.xml</c>
/// gives the reading order (the spine), and each XHTML page in it is read as <see cref="HtmlDocumentReader"/> reads a
/// page (the same boilerplate rules), into one document. Headings start afresh with each page; a page's text before
/// its first heading goes under the page's <c>title</c> when that differs from the book's title and from the page's
/// file name. The navigation document and pages of other types (SVG, images) are left out. Sections carry no pages.
/// The title is the package's <c>dc:title</c>, else the first level-1 heading, else the file name. Books whose pages
/// are encrypted (DRM; font obfuscation does not count) raise <see cref="DocumentReadFailure.Encrypted"/>; a damaged
/// package, a missing container or package document, or XML with a DTD <see cref="DocumentReadFailure.Corrupt"/>;
/// parts expanding past <see cref="PackageDocumentReader.MaxExpandedBytes"/> <see cref="DocumentReadFailure.TooLarge"/>.
/// </summary>
public sealed class EpubDocumentReader : PackageDocumentReader
{
    /// <summary>Algorithms that obfuscate embedded fonts; content encrypted with anything else is DRM.</summary>
    private static readonly HashSet<string> FontObfuscation = new(StringComparer.Ordinal)
    {
        "http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC",
    };

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public EpubDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".epub"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "an EPUB book", MaxExpandedBytes);
        package.RequireMimetype("application/epub+zip");

        var packagePath = PackagePath(package)
            ?? throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not an EPUB book: 'META-INF/container.xml' names no package document.");
        var (bookTitle, pages) = ReadPackage(package, packagePath);
        var encrypted = EncryptedParts(package);
        if (pages.FirstOrDefault(encrypted.Contains) is { } locked)
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Encrypted, $"'{sourcePath}' is encrypted (DRM): page '{locked}' cannot be read without its key.");
        }

        var sections = new SectionBuilder();
        foreach (var page in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (package.Read(page) is not { } bytes)
            {
                continue;
            }

            var html = HtmlDocumentReader.Parse(sourcePath, TextDecoding.Decode(sourcePath, bytes), $"has a page that is not readable XHTML ('{page}')");
            sections.ResetHeadings();
            var pageTitle = html.DocumentNode.SelectSingleNode("//title") is { } titleNode ? Whitespace.Collapse(HtmlAgilityPack.HtmlEntity.DeEntitize(titleNode.InnerText)) : "";
            if (pageTitle.Length > 0 && pageTitle != bookTitle
                && !pageTitle.Equals(Path.GetFileName(page), StringComparison.OrdinalIgnoreCase)
                && !pageTitle.Equals(Path.GetFileNameWithoutExtension(page), StringComparison.OrdinalIgnoreCase))
            {
                sections.Heading(1, pageTitle);
            }

            HtmlDocumentReader.ReadInto(html, sections, cancellationToken);
        }

        var built = sections.Build();
        return new RagDocument(sourcePath, bookTitle ?? sections.FirstTopHeading ?? Path.GetFileNameWithoutExtension(sourcePath), built);
    }

    /// <summary>The package document's path from <c>META-INF/container.xml</c> (its first rootfile).</summary>
    private static string? PackagePath(ZipPackage package)
    {
        using var reader = package.OpenXml("META-INF/container.xml");
        if (reader is null)
        {
            return null;
        }

        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rootfile" && reader.GetAttribute("full-path") is { Length: > 0 } path)
                {
                    return ZipPackage.Resolve("", path);
                }
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError("META-INF/container.xml", e);
        }

        return null;
    }

    /// <summary>The book's title and the paths of its XHTML pages in reading order (the navigation document left out).</summary>
    private static (string? Title, List<string> Pages) ReadPackage(ZipPackage package, string packagePath)
    {
        using var reader = package.OpenXml(packagePath)
            ?? throw new DocumentReadException(package.SourcePath, DocumentReadFailure.Corrupt, $"'{package.SourcePath}' is not an EPUB book: its package document '{packagePath}' is missing.");
        string? title = null;
        var manifest = new Dictionary<string, (string Href, string MediaType, string Properties)>(StringComparer.Ordinal);
        var spine = new List<string>();
        try
        {
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    if (reader.LocalName == "title" && reader.NamespaceURI == ZipPackage.DublinCore && title is null)
                    {
                        title = Whitespace.Collapse(reader.ReadElementContentAsString()) is { Length: > 0 } text ? text : null;
                        continue;
                    }

                    if (reader.LocalName == "item" && reader.GetAttribute("id") is { } id && reader.GetAttribute("href") is { } href)
                    {
                        manifest.TryAdd(id, (href, reader.GetAttribute("media-type") ?? "", reader.GetAttribute("properties") ?? ""));
                    }
                    else if (reader.LocalName == "itemref" && reader.GetAttribute("idref") is { } idref)
                    {
                        spine.Add(idref);
                    }
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(packagePath, e);
        }

        var pages = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var idref in spine)
        {
            if (manifest.TryGetValue(idref, out var item)
                && item.MediaType is "application/xhtml+xml" or "text/html" or "application/xml" or ""
                && !item.Properties.Split(' ').Contains("nav")
                && ZipPackage.Resolve(packagePath, item.Href) is { } path
                && seen.Add(path))
            {
                pages.Add(path);
            }
        }

        return (title, pages);
    }

    /// <summary>The parts <c>META-INF/encryption.xml</c> lists as encrypted with something other than font obfuscation.</summary>
    private static HashSet<string> EncryptedParts(ZipPackage package)
    {
        var parts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var reader = package.OpenXml("META-INF/encryption.xml");
        if (reader is null)
        {
            return parts;
        }

        try
        {
            var algorithm = "";
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (reader.LocalName == "EncryptedData")
                {
                    algorithm = "";
                }
                else if (reader.LocalName == "EncryptionMethod")
                {
                    algorithm = reader.GetAttribute("Algorithm") ?? "";
                }
                else if (reader.LocalName == "CipherReference" && reader.GetAttribute("URI") is { } uri
                    && !FontObfuscation.Contains(algorithm) && ZipPackage.Resolve("", uri) is { } part)
                {
                    parts.Add(part);
                }
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError("META-INF/encryption.xml", e);
        }

        return parts;
    }
}
