using System.Globalization;
using System.Text;
using System.Xml;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads Excel workbooks (<c>.xlsx</c>, <c>.xlsm</c>: Office Open XML, transitional or strict), sheet by sheet in the
/// workbook's order: each sheet is a section named after it, each row a paragraph, written as CSV rows are
/// (<c>Header: value; Header: value</c> under a header row, else cells joined with <c> | </c>). Cells give their
/// shown value's source: shared and inline strings, numbers as stored, booleans as TRUE/FALSE, formulas by their
/// cached result, and numbers in a date format (built-in or custom) as ISO dates (<c>2026-12-07</c>, with the time
/// when it has one). Errors as <see cref="DocxDocumentReader"/>.
/// </summary>
public sealed class XlsxDocumentReader : PackageDocumentReader
{
    private const string Transitional = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string Strict = "http://purl.oclc.org/ooxml/spreadsheetml/main";

    /// <summary>The most columns a row is read to (Excel's own limit).</summary>
    private const int MaxColumns = 16_384;

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together; default
    /// <see cref="PackageDocumentReader.DefaultMaxExpandedBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    public XlsxDocumentReader(long maxExpandedBytes = DefaultMaxExpandedBytes)
        : base(maxExpandedBytes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Extensions { get; } = [".xlsx", ".xlsm"];

    /// <inheritdoc />
    public override RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        using var package = ZipPackage.Open(sourcePath, content, "an Excel workbook", MaxExpandedBytes);
        var rootRelations = package.RelationshipsByType("");
        var workbookPart = rootRelations.GetValueOrDefault("officeDocument") ?? "xl/workbook.xml";
        if (!package.Contains(workbookPart))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is not an Excel workbook: it has no workbook part ('{workbookPart}').");
        }

        var targets = package.RelationshipsById(workbookPart);
        var byType = package.RelationshipsByType(workbookPart);
        var strings = SharedStrings(package, byType.GetValueOrDefault("sharedStrings") ?? ZipPackage.Resolve(workbookPart, "sharedStrings.xml")!, cancellationToken);
        var dateStyles = DateStyles(package, byType.GetValueOrDefault("styles") ?? ZipPackage.Resolve(workbookPart, "styles.xml")!);
        var sections = new SectionBuilder();
        foreach (var (name, id) in Sheets(package, workbookPart))
        {
            if (targets.GetValueOrDefault(id) is not { } sheetPart || !package.Contains(sheetPart))
            {
                continue;
            }

            sections.ResetHeadings();
            sections.Heading(1, name);
            TableRows.Write(ReadRows(package, sheetPart, strings, dateStyles, cancellationToken), sections, cancellationToken);
        }

        var title = package.DublinCoreTitle(rootRelations.GetValueOrDefault("core-properties") ?? "docProps/core.xml")
            ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections.Build());
    }

    private static bool IsSheet(XmlReader reader) => reader.NamespaceURI is Transitional or Strict;

    /// <summary>The sheets' names and relationship ids, in the workbook's order.</summary>
    private static List<(string Name, string Id)> Sheets(ZipPackage package, string part)
    {
        var sheets = new List<(string, string)>();
        using var reader = package.OpenXml(part)!;
        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && IsSheet(reader) && reader.LocalName == "sheet"
                    && ZipPackage.RelationshipId(reader) is { } id)
                {
                    sheets.Add((reader.GetAttribute("name") ?? id, id));
                }
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }

        return sheets;
    }

    private static List<string> SharedStrings(ZipPackage package, string part, CancellationToken cancellationToken)
    {
        var strings = new List<string>();
        using var reader = package.OpenXml(part);
        if (reader is null)
        {
            return strings;
        }

        try
        {
            var text = new StringBuilder();
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.NodeType == XmlNodeType.Element && IsSheet(reader))
                {
                    switch (reader.LocalName)
                    {
                        case "si":
                            text.Clear();
                            if (reader.IsEmptyElement)
                            {
                                strings.Add("");
                            }

                            break;
                        case "t":
                            text.Append(reader.ReadElementContentAsString());
                            continue;
                        case "rPh" or "phoneticPr":
                            // Phonetic guides repeat the text in another script.
                            reader.Skip();
                            continue;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && IsSheet(reader) && reader.LocalName == "si")
                {
                    strings.Add(text.ToString());
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }

        return strings;
    }

    /// <summary>The cell style indexes (<c>cellXfs</c>) whose number format shows a date or time.</summary>
    private static HashSet<int> DateStyles(ZipPackage package, string part)
    {
        var dates = new HashSet<int>();
        using var reader = package.OpenXml(part);
        if (reader is null)
        {
            return dates;
        }

        try
        {
            var customDates = new HashSet<int>();
            var inCellFormats = false;
            var index = 0;
            while (reader.Read())
            {
                if (!IsSheet(reader))
                {
                    continue;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "numFmt"
                    && int.TryParse(reader.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var custom)
                    && SpreadsheetValues.IsDateFormat(reader.GetAttribute("formatCode") ?? ""))
                {
                    customDates.Add(custom);
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "cellXfs")
                {
                    inCellFormats = !reader.IsEmptyElement;
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs")
                {
                    inCellFormats = false;
                }
                else if (inCellFormats && reader.NodeType == XmlNodeType.Element && reader.LocalName == "xf")
                {
                    var format = int.TryParse(reader.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var id) ? id : 0;
                    if (SpreadsheetValues.IsBuiltInDateFormat(format) || customDates.Contains(format))
                    {
                        dates.Add(index);
                    }

                    index++;
                }
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }

        return dates;
    }

    /// <summary>A sheet's rows, cells placed by their references (gaps are empty cells).</summary>
    private static List<IReadOnlyList<string?>> ReadRows(ZipPackage package, string part, List<string> strings, HashSet<int> dateStyles, CancellationToken cancellationToken)
    {
        var rows = new List<IReadOnlyList<string?>>();
        using var reader = package.OpenXml(part)!;
        try
        {
            List<string?>? row = null;
            var column = 0;
            var nodes = 0;
            while (!reader.EOF)
            {
                if ((++nodes & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.NodeType == XmlNodeType.Element && IsSheet(reader))
                {
                    switch (reader.LocalName)
                    {
                        case "row":
                            row = [];
                            column = 0;
                            if (reader.IsEmptyElement)
                            {
                                rows.Add(row);
                                row = null;
                            }

                            break;
                        case "c" when row is not null:
                            column = ColumnOf(reader.GetAttribute("r")) ?? column;
                            var type = reader.GetAttribute("t") ?? "n";
                            var style = int.TryParse(reader.GetAttribute("s"), CultureInfo.InvariantCulture, out var s) ? s : 0;
                            var consumed = !reader.IsEmptyElement;
                            var value = consumed ? CellValue(reader, type, style, strings, dateStyles) : null;
                            if (column < MaxColumns)
                            {
                                while (row.Count < column)
                                {
                                    row.Add(null);
                                }

                                row.Add(value);
                            }

                            column++;
                            if (consumed)
                            {
                                continue;
                            }

                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && IsSheet(reader) && reader.LocalName == "row" && row is not null)
                {
                    rows.Add(row);
                    row = null;
                }

                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw package.XmlError(part, e);
        }

        return rows;
    }

    /// <summary>Reads a cell (the reader on its start tag, left after its end tag) as shown text, or null when empty.</summary>
    private static string? CellValue(XmlReader reader, string type, int style, List<string> strings, HashSet<int> dateStyles)
    {
        string? value = null;
        var inline = new StringBuilder();
        using (var cell = reader.ReadSubtree())
        {
            cell.Read();
            cell.Read();
            while (!cell.EOF)
            {
                if (cell.NodeType == XmlNodeType.Element && IsSheet(cell))
                {
                    switch (cell.LocalName)
                    {
                        case "v":
                            value = cell.ReadElementContentAsString();
                            continue;
                        case "t":
                            inline.Append(cell.ReadElementContentAsString());
                            continue;
                        case "rPh":
                            cell.Skip();
                            continue;
                    }
                }

                cell.Read();
            }
        }

        // ReadSubtree leaves the reader on the cell's end tag; step past it.
        reader.Read();
        return type switch
        {
            "s" => int.TryParse(value, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < strings.Count ? strings[index] : null,
            "inlineStr" => inline.ToString(),
            "b" => value == "1" ? "TRUE" : value == "0" ? "FALSE" : value,
            "n" when value is not null && dateStyles.Contains(style) && double.TryParse(value, CultureInfo.InvariantCulture, out var serial) => SpreadsheetValues.Date(serial) ?? value,
            _ => value,
        };
    }

    /// <summary>The zero-based column of a cell reference (<c>C7</c> is 2), or null.</summary>
    private static int? ColumnOf(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        var column = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z')
            {
                column = (column * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
                if (++letters > 3)
                {
                    return null;
                }
            }
            else
            {
                break;
            }
        }

        return letters == 0 ? null : column - 1;
    }
}
