using System.Text;
using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads OpenDocument spreadsheets (<c>.ods</c>, <c>.ots</c>: LibreOffice Calc), streaming <c>content.xml</c>, as
/// <see cref="XlsxDocumentReader"/> reads workbooks: each sheet a section named after it, each row a paragraph
/// (<c>Header: value; Header: value</c> under a header row). Cells give their shown text, dates their ISO value, and
/// booleans TRUE/FALSE; comments are left out. Repetition is not expanded blindly: empty cells and rows repeated a
/// million times (as Calc writes the rest of a sheet) cost nothing, a repeated row is read once (its copies say nothing
/// new), a repeated cell is placed in each of its columns up to column 16,384, and a document that would place more
/// than <see cref="MaxCells"/> cells raises <see cref="DocumentReadFailure.TooLarge"/>. Other errors as
/// <see cref="OdtDocumentReader"/>.
/// </summary>
public sealed class OdsDocumentReader : PackageDocumentReader
{
    /// <summary>The most cells a document places (repeated cells counted once per column they fill).</summary>
    public const int MaxCells = 4_000_000;

    private const string Table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
    private const string Office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
    private const string Text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";

    /// <summary>The most columns a row is read to (the OpenDocument and Excel limit).</summary>
    private const int MaxColumns = 16_384;

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public OdsDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".ods", ".ots"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "an OpenDocument spreadsheet", MaxExpandedBytes);
        package.RequireMimetype("application/vnd.oasis.opendocument.spreadsheet");
        if (!package.Contains("content.xml"))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not an OpenDocument spreadsheet: it has no 'content.xml'.");
        }

        var sections = new SectionBuilder();
        foreach (var (name, rows) in Sheets(package, cancellationToken))
        {
            sections.ResetHeadings();
            sections.Heading(1, name);
            TableRows.Write(rows, sections, cancellationToken);
        }

        var title = package.DublinCoreTitle("meta.xml") ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections.Build());
    }

    private static List<(string Name, List<IReadOnlyList<string?>> Rows)> Sheets(ZipPackage package, CancellationToken cancellationToken)
    {
        var sheets = new List<(string, List<IReadOnlyList<string?>>)>();
        using var reader = package.OpenXml("content.xml")!;
        try
        {
            List<IReadOnlyList<string?>>? rows = null;
            List<string?>? row = null;
            var column = 0;
            var cells = 0L;
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Table)
                {
                    switch (reader.LocalName)
                    {
                        case "table" when rows is null && !reader.IsEmptyElement:
                            rows = [];
                            sheets.Add((reader.GetAttribute("name", Table) ?? $"Sheet {sheets.Count + 1}", rows));
                            break;
                        case "table-row" when rows is not null:
                            row = [];
                            column = 0;
                            if (reader.IsEmptyElement)
                            {
                                row = null;
                            }

                            break;
                        case "table-cell" or "covered-table-cell" when row is not null:
                            var repeat = int.TryParse(reader.GetAttribute("number-columns-repeated", Table), out var n) ? Math.Max(n, 1) : 1;
                            var consumed = !reader.IsEmptyElement;
                            var value = consumed ? CellValue(reader) : null;
                            if (string.IsNullOrEmpty(value))
                            {
                                column = (int)Math.Min((long)column + repeat, MaxColumns);
                            }
                            else
                            {
                                for (var k = 0; k < repeat && column < MaxColumns; k++, column++)
                                {
                                    while (row.Count < column)
                                    {
                                        row.Add(null);
                                    }

                                    row.Add(value);
                                }
                            }

                            if (consumed)
                            {
                                continue;
                            }

                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Office && reader.LocalName is "annotation" or "scripts" or "font-face-decls" or "automatic-styles")
                {
                    reader.Skip();
                    continue;
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.NamespaceURI == Table)
                {
                    switch (reader.LocalName)
                    {
                        case "table-row" when row is not null && rows is not null:
                            // A repeated row is read once: its copies are the same cells.
                            if (row.Any(c => !string.IsNullOrEmpty(c)))
                            {
                                cells += row.Count;
                                if (cells > MaxCells)
                                {
                                    throw new DocumentReadException(
                                        package.SourcePath,
                                        DocumentReadFailure.TooLarge,
                                        $"'{package.SourcePath}' places more than {MaxCells:N0} cells (MaxCells).");
                                }

                                rows.Add(row);
                            }

                            row = null;
                            break;
                        case "table":
                            rows = null;
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

        return sheets;
    }

    /// <summary>A cell's value (the reader on its start tag, left after its end tag): the ISO date, TRUE/FALSE, or the shown text.</summary>
    private static string? CellValue(XmlReader reader)
    {
        var type = reader.GetAttribute("value-type", Office);
        var date = reader.GetAttribute("date-value", Office);
        var boolean = reader.GetAttribute("boolean-value", Office);
        var number = reader.GetAttribute("value", Office);
        var shown = new StringBuilder();
        using (var cell = reader.ReadSubtree())
        {
            cell.Read();
            cell.Read();
            while (!cell.EOF)
            {
                if (cell.NodeType == XmlNodeType.Element && cell.NamespaceURI == Office && cell.LocalName == "annotation")
                {
                    cell.Skip();
                    continue;
                }

                if (cell.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
                {
                    shown.Append(cell.Value);
                }
                else if (cell.NodeType == XmlNodeType.Element && cell.NamespaceURI == Text && cell.LocalName is "p" or "s" or "tab" or "line-break" && shown.Length > 0)
                {
                    shown.Append(' ');
                }

                cell.Read();
            }
        }

        reader.Read();
        return type switch
        {
            "date" when !string.IsNullOrEmpty(date) => date.EndsWith("T00:00:00", StringComparison.Ordinal) ? date[..^9] : date.Replace('T', ' '),
            "boolean" when boolean is not null => boolean == "true" ? "TRUE" : "FALSE",
            _ => shown.Length > 0 ? shown.ToString() : number,
        };
    }
}
