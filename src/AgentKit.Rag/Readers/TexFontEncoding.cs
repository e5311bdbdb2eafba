using UglyToad.PdfPig.Content;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads the glyphs of TeX's Computer Modern fonts by their TeX encodings when a PDF embeds them without a Unicode map
/// (pdfTeX's default for these fonts, so common in manuals built with LaTeX or Texinfo): PdfPig then gives the raw
/// character codes, so "ﬁ" arrives as U+000C, which the word extractor takes for a space ("speci ed", "satis able",
/// "le" for "file"). Text fonts (OT1: CMR, CMBX, CMTI, CMSS…) get their ligatures, Greek capitals, special letters,
/// dashes and quotes back; typewriter fonts (CMTT…) their special letters; math italic (CMMI, OML) its Greek and
/// punctuation; math symbols (CMSY, OMS) their symbols. Accents set as separate glyphs are dropped. Codes that are
/// never text (control characters, and printable codes a font has no such glyph for) are read by the table wherever
/// they occur; the printable codes of the math fonts only on pages where a Computer Modern font gave a control
/// character, the sign that the page's text from these fonts is raw codes. A control character in any other font
/// (diagram fonts set arrows and line pieces as such codes) is no text and is dropped, except the ones that are
/// whitespace, which still separate words.
/// </summary>
internal static class TexFontEncoding
{
    private const string Drop = "";

    private static readonly string?[] Text = Table(
        OneByOne(0x00, "ΓΔΘΛΞΠΣΥΦΨΩ"),
        [(0x0B, "ff"), (0x0C, "fi"), (0x0D, "fl"), (0x0E, "ffi"), (0x0F, "ffl"), (0x10, "ı"), (0x11, "ȷ")],
        OneByOne(0x19, "ßæœøÆŒØ"),
        Accents(0x12, 0x18),
        [(0x22, "”"), (0x3C, "¡"), (0x3E, "¿"), (0x5C, "“"), (0x5E, Drop), (0x5F, Drop), (0x7B, "–"), (0x7C, "—"), (0x7D, Drop), (0x7E, Drop), (0x7F, Drop)]);

    private static readonly string?[] Typewriter = Table(
        OneByOne(0x00, "ΓΔΘΛΞΠΣΥΦΨΩ↑↓'¡¿ıȷ"),
        Accents(0x12, 0x18),
        OneByOne(0x19, "ßæœøÆŒØ"),
        [(0x7F, Drop)]);

    private static readonly string?[] MathItalic = Table(
        OneByOne(0x00, "ΓΔΘΛΞΠΣΥΦΨΩαβγδϵζηθικλμνξπρστυϕχψωεϑϖϱςφ↼↽⇀⇁"),
        [(0x2C, Drop), (0x2D, Drop), (0x2E, "▹"), (0x2F, "◃"), (0x3A, "."), (0x3B, ","), (0x3D, "/"), (0x3F, "⋆"), (0x40, "∂")],
        OneByOne(0x5B, "♭♮♯⌣⁀ℓ"),
        [(0x7B, "ı"), (0x7C, "ȷ"), (0x7D, "℘"), (0x7E, Drop), (0x7F, Drop)]);

    private static readonly string?[] MathSymbols = Table(
        OneByOne(0x00, "−·×∗÷⋄±∓⊕⊖⊗⊘⊙◯∘•≍≡⊆⊇≤≥⪯⪰∼≈⊂⊃≪≫≺≻←→↑↓↔↗↘≃⇐⇒⇑⇓⇔↖↙∝′∞∈∋△▽"),
        [(0x36, Drop), (0x37, Drop)],
        OneByOne(0x38, "∀∃¬∅ℜℑ⊤⊥ℵ"),
        OneByOne(0x5B, "∪∩⊎∧∨⊢⊣⌊⌋⌈⌉{}⟨⟩|‖↕⇕\\≀√⨿∇∫⊔⊓⊑⊒§†‡¶♣♢♡♠"));

    /// <summary>The letters with Computer Modern glyphs read by their TeX encoding; the same list when none needs it.</summary>
    public static IReadOnlyList<Letter> Repair(IReadOnlyList<Letter> letters)
    {
        var raw = letters.Any(l => l.Value is [< ' ' or '\x7F'] && l.FontName is { } font && Family(font) is not null);
        List<Letter>? repaired = null;
        for (var i = 0; i < letters.Count; i++)
        {
            var letter = letters[i];
            var text = Read(letter, raw);
            if (text is null)
            {
                repaired?.Add(letter);
                continue;
            }

            repaired ??= [.. letters.Take(i)];
            if (text.Length > 0)
            {
                repaired.Add(new Letter(
                    text, letter.BoundingBox, letter.GlyphRectangleLoose, letter.StartBaseLine, letter.EndBaseLine, letter.Width,
                    letter.FontSize, letter.FontDetails, letter.RenderingMode, letter.StrokeColor, letter.FillColor, letter.PointSize,
                    letter.TextSequence));
            }
        }

        return repaired ?? letters;
    }

    /// <summary>
    /// The text a letter stands for when it needs reading by its TeX encoding, or <see cref="Drop"/> for an accent or a
    /// control character no table reads; null to keep the letter as it is.
    /// </summary>
    private static string? Read(Letter letter, bool raw)
    {
        // A space glyph is a space: TeX sets none (it moves instead), other producers mean a space by it.
        if (letter.Value is not [var code] || code == ' ')
        {
            return null;
        }

        var table = code < '\x80' && letter.FontName is { } font ? Family(font) : null;
        if (table?[code] is not { } text)
        {
            return char.IsControl(code) && !char.IsWhiteSpace(code) ? Drop : null;
        }

        var neverText = code < ' ' || code == '\x7F' || ReferenceEquals(table, Text);
        return neverText || raw ? text : null;
    }

    /// <summary>The encoding table of a Computer Modern font ("ABCDEF+CMR10", "CMSY10"), or null for any other font.</summary>
    private static string?[]? Family(string fontName)
    {
        var name = fontName.Length > 7 && fontName[6] == '+' ? fontName.AsSpan(7) : fontName.AsSpan();
        var digits = name.IndexOfAnyInRange('0', '9');
        if (digits < 3 || !name.StartsWith("CM", StringComparison.Ordinal) || name[digits..].ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        return name[..digits] switch
        {
            "CMR" or "CMBX" or "CMTI" or "CMSL" or "CMSS" or "CMSSBX" or "CMSSI" or "CMSSDC" or "CMSSQ" or "CMSSQI" or "CMB"
                or "CMBXSL" or "CMBXTI" or "CMCSC" or "CMDUNH" or "CMFIB" or "CMFF" or "CMFI" or "CMU" or "CMVTT" => Text,
            "CMTT" or "CMSLTT" or "CMITT" or "CMTCSC" => Typewriter,
            "CMMI" or "CMMIB" => MathItalic,
            "CMSY" or "CMBSY" => MathSymbols,
            _ => null,
        };
    }

    private static IEnumerable<(int Code, string Text)> OneByOne(int first, string symbols) =>
        symbols.Select((symbol, i) => (first + i, symbol.ToString()));

    private static IEnumerable<(int Code, string Text)> Accents(int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(code => (code, Drop));

    private static string?[] Table(params IEnumerable<(int Code, string Text)>[] parts)
    {
        var table = new string?[128];
        foreach (var (code, text) in parts.SelectMany(p => p))
        {
            table[code] = text;
        }

        return table;
    }
}
