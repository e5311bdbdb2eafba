using System.Diagnostics.CodeAnalysis;

namespace AgentKit.Rag.Readers;

/// <summary>The readers by file extension (case-insensitive). A later registration for an extension replaces an earlier one.</summary>
public sealed class DocumentReaderRegistry
{
    private readonly Dictionary<string, IDocumentReader> _readers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry with the given readers.</summary>
    /// <param name="readers">The readers; each is registered for all its <see cref="IDocumentReader.Extensions"/>.</param>
    public DocumentReaderRegistry(IEnumerable<IDocumentReader> readers)
    {
        ArgumentNullException.ThrowIfNull(readers);
        foreach (var reader in readers)
        {
            Add(reader);
        }
    }

    /// <summary>
    /// A registry with the built-in readers: PDF (<c>.pdf</c>), Markdown (<c>.md</c>, <c>.markdown</c>, <c>.mdown</c>,
    /// <c>.mkd</c>), HTML (<c>.html</c>, <c>.htm</c>, <c>.xhtml</c>), plain text and its markups (<c>.txt</c>,
    /// <c>.text</c>, <c>.rst</c>, <c>.adoc</c>, <c>.asciidoc</c>), Word (<c>.docx</c>, <c>.docm</c>, <c>.dotx</c>; Word 97–2003
    /// <c>.doc</c>, <c>.dot</c>),
    /// PowerPoint (<c>.pptx</c>, <c>.pptm</c>, <c>.ppsx</c>; 97–2003 <c>.ppt</c>, <c>.pps</c>, <c>.pot</c>), Excel (<c>.xlsx</c>, <c>.xlsm</c>; 97–2003 <c>.xls</c>, <c>.xlt</c>), delimited text
    /// (<c>.csv</c>, <c>.tsv</c>), OpenDocument text, spreadsheets and presentations (<c>.odt</c>, <c>.ott</c>,
    /// <c>.ods</c>, <c>.ots</c>, <c>.odp</c>, <c>.otp</c>) and EPUB (<c>.epub</c>).
    /// </summary>
    /// <returns>A new registry.</returns>
    public static DocumentReaderRegistry CreateDefault() => new(
    [
        new PdfDocumentReader(),
        new MarkdownDocumentReader(),
        new HtmlDocumentReader(),
        new PlainTextDocumentReader(),
        new DocxDocumentReader(),
        new DocDocumentReader(),
        new PptxDocumentReader(),
        new PptDocumentReader(),
        new XlsxDocumentReader(),
        new XlsDocumentReader(),
        new CsvDocumentReader(),
        new OdtDocumentReader(),
        new OdsDocumentReader(),
        new OdpDocumentReader(),
        new EpubDocumentReader(),
    ]);

    /// <summary>The extensions a reader is registered for.</summary>
    public IReadOnlyCollection<string> Extensions => _readers.Keys;

    /// <summary>Registers a reader for all its extensions.</summary>
    /// <param name="reader">The reader.</param>
    public void Add(IDocumentReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        foreach (var extension in reader.Extensions)
        {
            _readers[extension.StartsWith('.') ? extension : "." + extension] = reader;
        }
    }

    /// <summary>Finds the reader for a file by its extension.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="reader">The reader, or <see langword="null"/>.</param>
    /// <returns>Whether one is registered.</returns>
    public bool TryGetReader(string path, [NotNullWhen(true)] out IDocumentReader? reader)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _readers.TryGetValue(Path.GetExtension(path), out reader);
    }
}
