using System.Globalization;
using System.Text;

namespace AgentKit.Hostile.Tests.Pdf;

/// <summary>
/// Writes PDF files object by object with a correct cross-reference table, so a test can build structures no PDF
/// library would write: page trees that lie about their size, nesting thousands of levels deep.
/// </summary>
internal static class RawPdf
{
    /// <summary>A file whose objects are numbered 1.. in order; object 1 must be the catalog.</summary>
    public static byte[] Build(params string[] objects)
    {
        var output = new StringBuilder("%PDF-1.7\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(output.ToString()));
            output.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Encoding.Latin1.GetByteCount(output.ToString());
        output.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            output.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        output.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(output.ToString());
    }

    /// <summary>A one-page document whose page shows <paramref name="text"/> in Helvetica, with extra page-dictionary entries.</summary>
    public static byte[] OnePage(string text, string pageExtra = "", string pagesCount = "1") => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        $"<< /Type /Pages /Kids [3 0 R] /Count {pagesCount} >>",
        $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R {pageExtra} >>",
        Stream($"BT /F1 12 Tf 60 760 Td ({text}) Tj ET"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

    /// <summary>A document with <paramref name="pages"/> real pages, each showing one line of text that differs from the others' in letters (so no line reads as a running header).</summary>
    public static byte[] ManyPages(int pages)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(0, pages).Select(p => $"{4 + (2 * p)} 0 R"))}] /Count {pages} >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        for (var p = 0; p < pages; p++)
        {
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + (2 * p)} 0 R >>");
            objects.Add(Stream($"BT /F1 12 Tf 60 760 Td (Entry {(char)('a' + (p % 26))}{(char)('a' + (p / 26 % 26))} on page {p + 1}) Tj ET"));
        }

        return Build([.. objects]);
    }

    private static string Stream(string content) =>
        $"<< /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream";
}
