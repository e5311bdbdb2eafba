using System.Text;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Writes the rows of a sheet or CSV file as paragraphs that stand on their own in a chunk: when the first row with
/// text is a header (every cell text, none a number, two cells or more), each later row reads
/// <c>Header: value; Header: value</c> (empty cells left out); otherwise the cells are joined with <c> | </c>.
/// </summary>
internal static class TableRows
{
    /// <summary>Adds the rows to <paramref name="sections"/> as paragraphs.</summary>
    /// <param name="rows">The rows, cells in column order (null or empty for an empty cell).</param>
    /// <param name="sections">Where the paragraphs go.</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    public static void Write(IEnumerable<IReadOnlyList<string?>> rows, SectionBuilder sections, CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? header = null;
        var first = true;
        var written = false;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cells = row.Select(c => Whitespace.Collapse(c ?? "")).ToList();
            if (cells.All(c => c.Length == 0))
            {
                continue;
            }

            if (first)
            {
                first = false;
                if (cells.Count(c => c.Length > 0) >= 2 && cells.All(c => c.Length == 0 || !double.TryParse(c, System.Globalization.CultureInfo.InvariantCulture, out _)))
                {
                    header = cells;
                    continue;
                }
            }

            sections.Paragraph(header is null ? string.Join(" | ", cells.Where(c => c.Length > 0)) : Labelled(header, cells));
            written = true;
        }

        if (header is not null && !written)
        {
            // A sheet of nothing but its header still says what it holds.
            sections.Paragraph(string.Join(" | ", header.Where(c => c.Length > 0)));
        }
    }

    private static string Labelled(IReadOnlyList<string> header, List<string> cells)
    {
        var text = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i].Length == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append("; ");
            }

            var label = i < header.Count && header[i].Length > 0 ? header[i] : null;
            text.Append(label is null ? cells[i] : label + ": " + cells[i]);
        }

        return text.ToString();
    }
}
