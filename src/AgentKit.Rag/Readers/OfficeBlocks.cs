using System.Text;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Collects the paragraphs and tables of a word-processing document (Word, OpenDocument) into sections: paragraphs
/// nest (a text box or note inside a paragraph joins the paragraph that holds it), a table row becomes one paragraph
/// of its cells separated by <c> | </c> (nested tables join their cell), and notes referenced by a paragraph follow
/// it as paragraphs of their own. Letters inside links to places in the document are counted, so a reader can tell a
/// table of contents written as a list of such links (<see cref="OnlyAnchorLinks"/>). When the document carries the page
/// breaks of its last layout (<see cref="Paginate"/>), each paragraph or table row is placed on the page where its text
/// starts.
/// </summary>
internal sealed class OfficeBlocks(SectionBuilder sections)
{
    /// <summary>How deep paragraphs nest before inner ones are read as text of the outer one.</summary>
    private const int MaxNesting = 32;

    private readonly Stack<Paragraph> _paragraphs = new();
    private readonly Stack<bool> _links = new();
    private int _anchorLinks;
    private readonly List<string> _notes = [];
    private readonly StringBuilder _row = new();
    private int _overflow;
    private int _tables;
    private int _cells;
    private bool _cellHasText;

    // Pages: 0 while the document carries no layout.
    private int _page;
    private int _lastPage = int.MaxValue;
    private int _sectionPage;
    private int _blockPage;
    private bool _textSeen;
    private bool _afterExplicitBreak;

    public SectionBuilder Sections => sections;

    /// <summary>Whether text goes into a paragraph now.</summary>
    public bool InParagraph => _paragraphs.Count > 0;

    /// <summary>
    /// Whether the paragraph <see cref="EndParagraph"/> last ended had letters in links to places in the document and
    /// at most a tenth as many outside them: in a list, a table of contents entry.
    /// </summary>
    public bool OnlyAnchorLinks { get; private set; }

    /// <summary>A link starts; <paramref name="toAnchor"/> when it points into the document.</summary>
    public void BeginLink(bool toAnchor)
    {
        _links.Push(toAnchor);
        _anchorLinks += toAnchor ? 1 : 0;
    }

    public void EndLink()
    {
        if (_links.TryPop(out var toAnchor) && toAnchor)
        {
            _anchorLinks--;
        }
    }

    /// <summary>
    /// Numbers pages from 1 from here on: the document holds the page breaks of its last layout (Word's rendered page
    /// breaks, OpenDocument's soft page breaks) beside its explicit ones.
    /// </summary>
    /// <param name="pageCount">The document's page count from its properties, when stated: no page is numbered past it.</param>
    public void Paginate(int? pageCount)
    {
        _page = 1;
        _lastPage = pageCount is > 0 ? pageCount.Value : int.MaxValue;
    }

    /// <summary>
    /// A page ends here. <paramref name="rendered"/>: a break the producer's layout made (which it also writes after an
    /// explicit break, so one right after an explicit break with no text between is the same break); otherwise an
    /// explicit break (page break character, break before or after a paragraph, a new page section). Breaks before
    /// the first text make no page.
    /// </summary>
    public void PageBreak(bool rendered)
    {
        if (_page == 0 || !_textSeen)
        {
            return;
        }

        if (rendered && _afterExplicitBreak)
        {
            _afterExplicitBreak = false;
            return;
        }

        _afterExplicitBreak = !rendered;
        _page = Math.Min(_page + 1, _lastPage);
    }

    /// <summary>Text that is on the page but not read (a generated table of contents): it counts for page breaks only.</summary>
    public void OnPage(string text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            _textSeen = true;
            _afterExplicitBreak = false;
        }
    }

    public void BeginParagraph()
    {
        if (_paragraphs.Count == 0 && _tables == 0)
        {
            _blockPage = 0;
        }

        if (_paragraphs.Count >= MaxNesting)
        {
            _overflow++;
            return;
        }

        _paragraphs.Push(new Paragraph());
    }

    /// <summary>Ends the innermost paragraph and returns its text (whitespace runs collapsed, line breaks kept).</summary>
    public string EndParagraph()
    {
        OnlyAnchorLinks = false;
        if (_overflow > 0)
        {
            _overflow--;
            return "";
        }

        if (!_paragraphs.TryPop(out var paragraph))
        {
            return "";
        }

        OnlyAnchorLinks = paragraph.Linked > 0 && paragraph.Unlinked * 10 <= paragraph.Linked;
        return Tidy(paragraph.Text.ToString());
    }

    public void Text(string text)
    {
        if (_page > 0 && _blockPage == 0 && !string.IsNullOrWhiteSpace(text))
        {
            _blockPage = _page;
        }

        OnPage(text);
        if (_paragraphs.TryPeek(out var paragraph))
        {
            paragraph.Text.Append(text);
            var letters = text.Count(char.IsLetter);
            paragraph.Linked += _anchorLinks > 0 ? letters : 0;
            paragraph.Unlinked += _anchorLinks > 0 ? 0 : letters;
        }
        else if (_tables > 0)
        {
            AppendToCell(text);
        }
    }

    /// <summary>Places a finished body paragraph: into the paragraph or table cell that holds it, else into the section.</summary>
    public void Emit(string text, bool listItem = false)
    {
        if (text.Length == 0)
        {
            if (_paragraphs.Count == 0 && _tables == 0)
            {
                FlushNotes();
            }

            return;
        }

        if (_paragraphs.TryPeek(out var outer))
        {
            outer.Text.Append(outer.Text.Length > 0 ? " " : "").Append(text);
        }
        else if (_tables > 0)
        {
            AppendToCell(text);
        }
        else
        {
            PlaceOnPage();
            sections.Paragraph(listItem ? "- " + text : text);
            FlushNotes();
        }
    }

    /// <summary>A heading: starts a section (a heading inside a table or another paragraph is text there).</summary>
    public void Heading(int level, string text)
    {
        if (_paragraphs.Count > 0 || _tables > 0)
        {
            Emit(text);
            return;
        }

        PlaceOnPage();
        sections.Heading(level, text);
        FlushNotes();
    }

    /// <summary>A note's text, placed after the paragraph (or table row) that references it.</summary>
    public void Note(string text)
    {
        text = Tidy(text);
        if (text.Length > 0)
        {
            _notes.Add(text);
        }
    }

    public void BeginTable()
    {
        if (_tables == 0 && _paragraphs.Count == 0)
        {
            _blockPage = 0;
        }

        if (_tables++ == 0)
        {
            _row.Clear();
        }
    }

    public void EndTable()
    {
        if (_tables > 0 && --_tables == 0)
        {
            EndRow();
        }
    }

    public void BeginRow()
    {
        if (_tables == 1)
        {
            EndRow();
            _cells = 0;
        }
    }

    public void BeginCell()
    {
        if (_tables == 1)
        {
            _row.Append(_cells++ > 0 ? " | " : "");
            _cellHasText = false;
        }
    }

    public void EndRow()
    {
        if (_tables > 1)
        {
            return;
        }

        var text = _row.ToString().Trim().Trim('|').Trim();
        _row.Clear();
        if (text.Length > 0 && _paragraphs.Count == 0)
        {
            PlaceOnPage();
            sections.Paragraph(text);
        }

        if (_paragraphs.Count == 0)
        {
            _blockPage = 0;
            FlushNotes();
        }
    }

    /// <summary>Starts the page of the block about to be placed (where its text began) when it differs from the last one.</summary>
    private void PlaceOnPage()
    {
        if (_page == 0)
        {
            return;
        }

        var page = _blockPage > 0 ? _blockPage : _page;
        _blockPage = 0;
        if (page != _sectionPage)
        {
            sections.Page(page);
            _sectionPage = page;
        }
    }

    private void AppendToCell(string text)
    {
        if (_cellHasText)
        {
            _row.Append(' ');
        }

        _row.Append(text.Replace('\n', ' '));
        _cellHasText = true;
    }

    private void FlushNotes()
    {
        foreach (var note in _notes)
        {
            sections.Paragraph(note);
        }

        _notes.Clear();
    }

    /// <summary>Collapses runs of spaces and tabs into one space, trims each line, drops empty lines at the ends.</summary>
    internal static string Tidy(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            var collapsed = Whitespace.Collapse(line);
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(collapsed);
        }

        return builder.ToString().Trim('\n');
    }

    private sealed class Paragraph
    {
        public StringBuilder Text { get; } = new();

        public int Linked { get; set; }

        public int Unlinked { get; set; }
    }
}
