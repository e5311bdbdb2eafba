using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Xml;

namespace AgentKit.Rag.Readers;

/// <summary>
/// A zip-packaged document (Word, PowerPoint, Excel, OpenDocument, EPUB) opened for reading with bounds: at most
/// <see cref="MaxEntries"/> entries, and at most a given number of bytes expanded from all the parts read together
/// (counted as they are inflated, never taken from the archive's declared sizes), so a zip bomb stops with
/// <see cref="DocumentReadFailure.TooLarge"/>. XML parts are parsed without DTDs or external entities.
/// </summary>
internal sealed class ZipPackage : IDisposable
{
    /// <summary>The most entries a package may list.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>The Dublin Core namespace of titles in package metadata.</summary>
    public const string DublinCore = "http://purl.org/dc/elements/1.1/";

    private const string OpenDocumentMeta = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0";

    private readonly ZipArchive _archive;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly long _maxExpandedBytes;
    private long _expanded;

    private ZipPackage(string sourcePath, string format, ZipArchive archive, long maxExpandedBytes)
    {
        SourcePath = sourcePath;
        Format = format;
        _archive = archive;
        _maxExpandedBytes = maxExpandedBytes;
        _entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in archive.Entries)
        {
            _entries.TryAdd(entry.FullName.Replace('\\', '/').TrimStart('/'), entry);
        }
    }

    /// <summary>The file, for errors.</summary>
    public string SourcePath { get; }

    /// <summary>What the file should be ("a Word document"), for errors.</summary>
    public string Format { get; }

    /// <summary>Opens a package.</summary>
    /// <param name="sourcePath">The file, for errors.</param>
    /// <param name="content">The file's bytes.</param>
    /// <param name="format">What the file should be, for errors ("a Word document").</param>
    /// <param name="maxExpandedBytes">The most bytes all parts read may expand to together.</param>
    /// <exception cref="DocumentReadException">Not a zip (an Office file encrypted with a password is an OLE compound
    /// file: <see cref="DocumentReadFailure.Encrypted"/>), or more than <see cref="MaxEntries"/> entries.</exception>
    public static ZipPackage Open(string sourcePath, ReadOnlyMemory<byte> content, string format, long maxExpandedBytes)
    {
        if (CompoundFile.IsCompoundFile(content.Span))
        {
            // Office keeps a password-protected package as an OLE compound file with an "EncryptedPackage" stream;
            // any other compound file is a legacy binary document (.doc) under the new extension.
            var encrypted = content.Span.IndexOf(System.Text.Encoding.Unicode.GetBytes("EncryptedPackage")) >= 0;
            var word = content.Span.IndexOf(System.Text.Encoding.Unicode.GetBytes("WordDocument")) >= 0;
            throw new DocumentReadException(
                sourcePath,
                encrypted ? DocumentReadFailure.Encrypted : DocumentReadFailure.Corrupt,
                encrypted ? $"'{sourcePath}' is encrypted with a password; save it without one to read it."
                : word ? $"'{sourcePath}' is a Word 97–2003 document (an OLE compound file), not {format}; name it .doc to have it read."
                : $"'{sourcePath}' is an OLE compound file (a legacy binary Office document?), not {format}.");
        }

        var bytes = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(bytes, ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxEntries)
            {
                archive.Dispose();
                throw new DocumentReadException(
                    sourcePath, DocumentReadFailure.TooLarge, $"'{sourcePath}' lists more than {MaxEntries:N0} zip entries.");
            }
        }
        catch (InvalidDataException e)
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not {format} (not a readable zip package): {e.Message}", e);
        }

        return new ZipPackage(sourcePath, format, archive, maxExpandedBytes);
    }

    /// <summary>Checks the <c>mimetype</c> part (OpenDocument, EPUB) when there is one.</summary>
    /// <param name="expected">The media type, or its start (OpenDocument templates add <c>-template</c>).</param>
    /// <exception cref="DocumentReadException">It names another type (a spreadsheet saved as <c>.odt</c>).</exception>
    public void RequireMimetype(string expected)
    {
        if (Read("mimetype") is { } bytes && System.Text.Encoding.ASCII.GetString(bytes).Trim() is var type
            && !type.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new DocumentReadException(SourcePath, DocumentReadFailure.Corrupt, $"'{SourcePath}' is not {Format}: its mimetype is '{type}'.");
        }
    }

    /// <summary>Whether the package has a part (names are matched without case).</summary>
    /// <param name="name">The part's path inside the package.</param>
    public bool Contains(string name) => _entries.ContainsKey(Normalize(name));

    /// <summary>Reads a part's bytes, counting them against the expansion limit.</summary>
    /// <param name="name">The part's path inside the package.</param>
    /// <returns>The bytes, or <see langword="null"/> when there is no such part.</returns>
    /// <exception cref="DocumentReadException">The part is damaged or encrypted, or the limit is passed.</exception>
    public byte[]? Read(string name)
    {
        if (!_entries.TryGetValue(Normalize(name), out var entry))
        {
            return null;
        }

        try
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                _expanded += read;
                if (_expanded > _maxExpandedBytes)
                {
                    throw new DocumentReadException(
                        SourcePath,
                        DocumentReadFailure.TooLarge,
                        $"'{SourcePath}' expands past the limit of {_maxExpandedBytes:N0} bytes (at part '{entry.FullName}'; MaxExpandedBytes).");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw new DocumentReadException(SourcePath, DocumentReadFailure.Corrupt, $"'{SourcePath}' has a part that cannot be read ('{entry.FullName}'): {e.Message}", e);
        }
    }

    /// <summary>Opens a part as XML: no DTD, no external entities.</summary>
    /// <param name="name">The part's path inside the package.</param>
    /// <returns>A reader, or <see langword="null"/> when there is no such part.</returns>
    public XmlReader? OpenXml(string name) => Read(name) is { } bytes ? Xml(bytes) : null;

    /// <summary>Reads a part's bytes (from <see cref="Read"/>) as XML: no DTD, no external entities.</summary>
    /// <param name="bytes">The part's bytes.</param>
    public static XmlReader Xml(byte[] bytes) =>
        XmlReader.Create(new MemoryStream(bytes, writable: false), new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = true,
        });

    /// <summary>The first non-empty <c>dc:title</c> of an XML part (Word's core properties, OpenDocument's meta.xml).</summary>
    /// <param name="part">The part.</param>
    /// <returns>The title, whitespace collapsed, or <see langword="null"/>.</returns>
    public string? DublinCoreTitle(string part)
    {
        using var reader = OpenXml(part);
        if (reader is null)
        {
            return null;
        }

        try
        {
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "title" && reader.NamespaceURI == DublinCore)
                {
                    if (Whitespace.Collapse(reader.ReadElementContentAsString()) is { Length: > 0 } title)
                    {
                        return title;
                    }

                    continue;
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw XmlError(part, e);
        }

        return null;
    }

    /// <summary>
    /// The page count a properties part states: Office's extended properties (<c>docProps/app.xml</c>, <c>Pages</c>) or
    /// OpenDocument's <c>meta.xml</c> (<c>meta:document-statistic/@meta:page-count</c>).
    /// </summary>
    /// <param name="part">The part.</param>
    /// <returns>The count, or <see langword="null"/> when the part or the count is missing or not a positive number.</returns>
    public int? StatedPageCount(string part)
    {
        using var reader = OpenXml(part);
        if (reader is null)
        {
            return null;
        }

        try
        {
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    var stated = reader.LocalName switch
                    {
                        "Pages" => reader.ReadElementContentAsString(),
                        "document-statistic" => reader.GetAttribute("page-count", OpenDocumentMeta),
                        _ => null,
                    };
                    if (stated is not null)
                    {
                        return int.TryParse(stated, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0 ? count : null;
                    }
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw XmlError(part, e);
        }

        return null;
    }

    /// <summary>
    /// The relationships of a part (Open Packaging Conventions: <c>folder/_rels/name.rels</c>; the package's own with
    /// <paramref name="part"/> empty), internal targets resolved to part paths, in document order.
    /// </summary>
    /// <param name="part">The part whose relationships are read, or "" for the package's.</param>
    /// <returns>Id, type (its last path segment: <c>officeDocument</c>, <c>styles</c>, <c>slide</c>…) and target.</returns>
    public List<(string Id, string Type, string Target)> Relationships(string part)
    {
        var slash = part.LastIndexOf('/');
        var relationsPart = part.Length == 0 ? "_rels/.rels"
            : slash < 0 ? "_rels/" + part + ".rels"
            : part[..slash] + "/_rels/" + part[(slash + 1)..] + ".rels";
        var found = new List<(string, string, string)>();
        using var reader = OpenXml(relationsPart);
        if (reader is null)
        {
            return found;
        }

        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship"
                    && reader.GetAttribute("Type") is { } type && reader.GetAttribute("Target") is { } target
                    && !"External".Equals(reader.GetAttribute("TargetMode"), StringComparison.OrdinalIgnoreCase)
                    && Resolve(part, target) is { } resolved)
                {
                    found.Add((reader.GetAttribute("Id") ?? "", type[(type.LastIndexOf('/') + 1)..], resolved));
                }
            }
        }
        catch (XmlException e)
        {
            throw XmlError(relationsPart, e);
        }

        return found;
    }

    /// <summary>The <c>r:id</c> attribute of the element the reader is on (transitional or strict namespace), or null.</summary>
    /// <param name="reader">The reader, on an element that refers to a relationship (a slide, a sheet).</param>
    public static string? RelationshipId(XmlReader reader) =>
        reader.GetAttribute("id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
        ?? reader.GetAttribute("id", "http://purl.oclc.org/ooxml/officeDocument/relationships");

    /// <summary>A part's relationship targets by id (the first of each: a damaged package may repeat an id).</summary>
    /// <param name="part">The part, or "" for the package's.</param>
    public Dictionary<string, string> RelationshipsById(string part)
    {
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, _, target) in Relationships(part))
        {
            byId.TryAdd(id, target);
        }

        return byId;
    }

    /// <summary>A part's relationships by type (the first of each), see <see cref="Relationships"/>.</summary>
    /// <param name="part">The part, or "" for the package's.</param>
    public Dictionary<string, string> RelationshipsByType(string part)
    {
        var byType = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (_, type, target) in Relationships(part))
        {
            byType.TryAdd(type, target);
        }

        return byType;
    }

    /// <summary>The error for a part whose XML is not well formed, declares a DTD, or has text where elements belong.</summary>
    /// <param name="part">The part.</param>
    /// <param name="e">The parser's error.</param>
    public DocumentReadException XmlError(string part, XmlException e) =>
        new(
            SourcePath,
            DocumentReadFailure.Corrupt,
            $"'{SourcePath}' could not be read as {Format}: part '{part}' is malformed XML{(e.LineNumber > 0 ? $" at line {e.LineNumber}" : "")}: {e.Message}",
            e);

    /// <summary>Resolves a relationship or manifest target against the folder of the part that names it.</summary>
    /// <param name="fromPart">The part holding the reference (<c>word/document.xml</c>).</param>
    /// <param name="target">The reference (<c>media/a.png</c>, <c>../x.xml</c>, <c>/word/x.xml</c>), possibly
    /// percent-encoded.</param>
    /// <returns>The part's path inside the package, or <see langword="null"/> when it leaves the package.</returns>
    public static string? Resolve(string fromPart, string target)
    {
        target = Uri.UnescapeDataString(target.Split('#')[0]);
        if (target.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new List<string>();
        if (!target.StartsWith('/'))
        {
            var folder = Normalize(fromPart);
            var slash = folder.LastIndexOf('/');
            if (slash >= 0)
            {
                parts.AddRange(folder[..slash].Split('/', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
            }
            else if (segment != ".")
            {
                parts.Add(segment);
            }
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    /// <inheritdoc />
    public void Dispose() => _archive.Dispose();

    private static string Normalize(string name) => name.Replace('\\', '/').TrimStart('/');
}
