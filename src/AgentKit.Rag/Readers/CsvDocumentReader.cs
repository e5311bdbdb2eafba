using System.Text;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads delimited text (<c>.csv</c>, <c>.tsv</c>) as RFC 4180 describes it: fields in double quotes may hold
/// delimiters, line breaks and doubled quotes. The delimiter of a <c>.tsv</c> is the tab; of a <c>.csv</c> whichever of
/// comma, semicolon, tab and bar occurs most in the first line outside quotes (comma on a tie). Each row is a
/// paragraph: with a header row, <c>Header: value; Header: value</c>, so that a row's chunk says what its values are;
/// without one (the first row has a number, or one cell), the cells joined with <c> | </c>. One section, no
/// headings; the title is the file name. Text is decoded as the other text readers decode it; an unclosed quote takes
/// the rest of the file into its field.
/// </summary>
public sealed class CsvDocumentReader : IDocumentReader
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".csv", ".tsv"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var text = TextDecoding.Decode(sourcePath, content.Span);
        var delimiter = Path.GetExtension(sourcePath).Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : DetectDelimiter(text);
        var sections = new SectionBuilder();
        TableRows.Write(Rows(text, delimiter), sections, cancellationToken);
        return new RagDocument(sourcePath, Path.GetFileNameWithoutExtension(sourcePath), sections.Build());
    }

    /// <summary>The candidate delimiter that occurs most in the first line outside quotes; comma on a tie or none.</summary>
    internal static char DetectDelimiter(string text)
    {
        var counts = new Dictionary<char, int> { [','] = 0, [';'] = 0, ['\t'] = 0, ['|'] = 0 };
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                break;
            }
            else if (!quoted && counts.TryGetValue(c, out var count))
            {
                counts[c] = count + 1;
            }
        }

        var best = counts.MaxBy(p => p.Value);
        return best.Value > counts[','] ? best.Key : ',';
    }

    /// <summary>The rows of delimited text, parsed in one pass.</summary>
    internal static IEnumerable<IReadOnlyList<string?>> Rows(string text, char delimiter)
    {
        var row = new List<string?>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                row.Add(field.ToString());
                field.Clear();
                yield return row;
                row = [];
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else
            {
                field.Append(c);
            }

            i++;
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            yield return row;
        }
    }
}
