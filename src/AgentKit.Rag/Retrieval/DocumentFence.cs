using System.Globalization;
using System.Text;

namespace AgentKit.Rag.Retrieval;

/// <summary>
/// Renders retrieved chunks as the data block prompts receive: a <c>&lt;documents&gt;</c> element with one
/// <c>&lt;document id="n" source="…" page="…" section="…" date="…"&gt;</c> per chunk, numbered from 1. Text and attribute
/// values are XML-escaped (<c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>, and <c>"</c> in attributes), so retrieved text can
/// never close the fence or open a new element, whatever it contains.
/// </summary>
public static class DocumentFence
{
    /// <summary>Renders the block.</summary>
    /// <param name="chunks">The chunks, in citation order.</param>
    /// <returns>The fenced, escaped text.</returns>
    public static string Render(IReadOnlyList<RetrievedChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var text = new StringBuilder("<documents>\n");
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            text.Append(CultureInfo.InvariantCulture, $"<document id=\"{i + 1}\" source=\"{Escape(Path.GetFileName(chunk.Source), attribute: true)}\"");
            if (chunk.Page is { } page)
            {
                text.Append(CultureInfo.InvariantCulture, $" page=\"{page}\"");
            }

            if (chunk.Section.Length > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" section=\"{Escape(chunk.Section, attribute: true)}\"");
            }

            if (chunk.SourceTime is { } time)
            {
                text.Append(CultureInfo.InvariantCulture, $" date=\"{time.UtcDateTime:yyyy-MM-dd}\"");
            }

            text.Append(">\n").Append(Escape(chunk.Text, attribute: false)).Append("\n</document>\n");
        }

        return text.Append("</documents>").ToString();
    }

    /// <summary>XML-escapes text: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>, and <c>"</c> when it is an attribute value.</summary>
    internal static string Escape(string text, bool attribute)
    {
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '"' when attribute => escaped.Append("&quot;"),
                '\n' or '\r' when attribute => escaped.Append(' '),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
