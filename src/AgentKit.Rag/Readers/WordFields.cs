using System.Text;
using System.Text.RegularExpressions;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Word's fields, as both Word readers meet them (<c>w:fldChar</c> in Office Open XML, characters 0x13/0x14/0x15 in
/// the binary format): a field's code (between begin and separate) is not text; its result is, unless the field
/// generates a list (<c>TOC</c>, <c>INDEX</c>). Fields nest <see cref="MaxFields"/> deep; deeper ones are counted so
/// their ends still match, and their text reads as text. Also the style names both readers recognise.
/// </summary>
internal sealed partial class WordFields
{
    /// <summary>The most nested fields tracked.</summary>
    public const int MaxFields = 64;

    /// <summary>The most characters of a field's code kept (enough to tell its kind).</summary>
    private const int MaxCode = 256;

    private readonly Stack<Field> _fields = new();
    private int _generated;
    private int _anchors;
    private int _overflow;

    /// <summary>Whether text here is read: outside field codes and generated lists.</summary>
    public bool Visible => _generated == 0 && (_fields.Count == 0 || _fields.Peek().InResult);

    /// <summary>Whether text here is the result of a generated list (on the page, not read).</summary>
    public bool InGeneratedList => _generated > 0;

    /// <summary>Whether text here is the result of a link to a place in the document (<c>HYPERLINK \l</c>).</summary>
    public bool InAnchorLink => _anchors > 0;

    /// <summary>Whether text here is a field's code.</summary>
    public bool InCode => _overflow == 0 && _fields.TryPeek(out var innermost) && !innermost.InResult;

    public void Begin()
    {
        if (_fields.Count >= MaxFields || _overflow > 0)
        {
            _overflow++;
        }
        else
        {
            _fields.Push(new Field());
        }
    }

    /// <summary>Adds to the innermost field's code (while in its code part).</summary>
    public void Code(string text)
    {
        if (InCode && _fields.Peek().Code.Length < MaxCode)
        {
            _fields.Peek().Code.Append(text);
        }
    }

    /// <summary>The code ends and the result starts.</summary>
    public void Separate()
    {
        if (InCode)
        {
            var field = _fields.Peek();
            field.InResult = true;
            var code = field.Code.ToString();
            field.Generated = IsGenerated(code);
            field.Anchor = IsAnchorLink(code);
            _generated += field.Generated ? 1 : 0;
            _anchors += field.Anchor ? 1 : 0;
        }
    }

    public void End()
    {
        if (_overflow > 0)
        {
            _overflow--;
        }
        else if (_fields.TryPop(out var ended))
        {
            _generated -= ended.Generated ? 1 : 0;
            _anchors -= ended.Anchor ? 1 : 0;
        }
    }

    /// <summary>
    /// Forgets fields still in their code part at the end of a body paragraph (a field's code never spans paragraphs;
    /// its result may, as a table of contents does), so that a field left open hides nothing after it.
    /// </summary>
    public void DropUnfinishedCodes()
    {
        _overflow = 0;
        if (_fields.All(f => f.InResult))
        {
            return;
        }

        var kept = _fields.Where(f => f.InResult).Reverse().ToList();
        _fields.Clear();
        kept.ForEach(_fields.Push);
        _generated = kept.Count(f => f.Generated);
        _anchors = kept.Count(f => f.Anchor);
    }

    /// <summary>Fields whose result is a generated list (table of contents, index) rather than document text.</summary>
    public static bool IsGenerated(string instruction)
    {
        var code = instruction.TrimStart();
        return code.StartsWith("TOC", StringComparison.OrdinalIgnoreCase) || code.StartsWith("INDEX", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A <c>HYPERLINK</c> field to a bookmark of the document (its <c>\l</c> switch) rather than to an address.</summary>
    private static bool IsAnchorLink(string instruction)
    {
        var code = instruction.TrimStart();
        return code.StartsWith("HYPERLINK", StringComparison.OrdinalIgnoreCase)
            && (code.Contains("\\l", StringComparison.OrdinalIgnoreCase) || code.Contains("\"#", StringComparison.Ordinal));
    }

    /// <summary>The heading level of a style named <c>heading 1</c>…<c>heading 9</c> (any case), else 0.</summary>
    public static int HeadingLevel(string styleName) =>
        HeadingName().Match(styleName) is { Success: true } match ? match.Groups[1].Value[0] - '0' : 0;

    [GeneratedRegex(@"^heading\s*([1-9])$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingName();

    private sealed class Field
    {
        public StringBuilder Code { get; } = new();

        public bool InResult { get; set; }

        public bool Generated { get; set; }

        public bool Anchor { get; set; }
    }
}
