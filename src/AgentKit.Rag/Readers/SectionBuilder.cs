using System.Text;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Collects paragraphs under a heading stack for the structured readers (Markdown, HTML, plain text, Word, OpenDocument,
/// EPUB): a heading of level n closes the current section and replaces the headings of level n and deeper; a page
/// (paged plain text) closes it too and numbers the sections after it.
/// </summary>
internal sealed class SectionBuilder
{
    private readonly List<(int Level, string Text)> _headings = [];
    private readonly List<DocumentSection> _sections = [];
    private readonly StringBuilder _text = new();
    private int? _page;

    /// <summary>The first heading of level 1 seen, for the document title.</summary>
    public string? FirstTopHeading { get; private set; }

    public void Heading(int level, string text)
    {
        text = Whitespace.Collapse(text);
        if (text.Length == 0)
        {
            return;
        }

        Flush();
        _headings.RemoveAll(h => h.Level >= level);
        _headings.Add((level, text));
        if (level == 1)
        {
            FirstTopHeading ??= text;
        }
    }

    /// <summary>Starts a page: what follows belongs to page <paramref name="number"/> (under the same headings).</summary>
    public void Page(int number)
    {
        Flush();
        _page = number;
    }

    /// <summary>Closes the current section and forgets its headings (a new file of a multi-file document starts).</summary>
    public void ResetHeadings()
    {
        Flush();
        _headings.Clear();
    }

    /// <summary>
    /// A slide of a deck (PowerPoint, OpenDocument): page <paramref name="number"/>, its title as the only heading, its
    /// body's paragraphs, and its speaker notes as one last paragraph starting <c>Notes: </c>.
    /// </summary>
    public void Slide(int number, string title, IEnumerable<string> body, IReadOnlyList<string> notes)
    {
        ResetHeadings();
        Page(number);
        Heading(1, title);
        foreach (var paragraph in body)
        {
            Paragraph(paragraph);
        }

        if (notes.Count > 0)
        {
            Paragraph("Notes: " + string.Join("\n", notes));
        }
    }

    public void Paragraph(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return;
        }

        if (_text.Length > 0)
        {
            _text.Append("\n\n");
        }

        _text.Append(text);
    }

    public IReadOnlyList<DocumentSection> Build()
    {
        Flush();
        return _sections;
    }

    private void Flush()
    {
        if (_text.Length > 0)
        {
            _sections.Add(new DocumentSection(_headings.Select(h => h.Text).ToArray(), _text.ToString(), _page));
            _text.Clear();
        }
    }
}
