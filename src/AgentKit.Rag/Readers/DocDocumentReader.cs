using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads Word 97–2003 documents (<c>.doc</c>, <c>.dot</c>: the binary format, MS-DOC) from their OLE compound file: the
/// text through the piece table (fast-saved files too), paragraph styles from the style sheet and each paragraph's
/// properties, so that headings (built-in <c>heading 1</c>…<c>heading 9</c>, styles with an outline level, and styles
/// based on them) become section paths as in <see cref="DocxDocumentReader"/>; tables as rows of cells separated by
/// <c> | </c>; list paragraphs start with <c>- </c>; footnotes and endnotes follow the paragraph that references them;
/// a text box joins the end of the paragraph that anchors its shape (follows it when that is a heading; text boxes of
/// groups and headers come last); field codes, tables of contents and indexes (<c>TOC</c>/<c>INDEX</c> fields and
/// <c>toc N</c>/<c>index N</c> paragraphs), headers, footers, comments and pictures are left out. Sections carry no pages. The title is the
/// summary information's, else the first <c>Title</c> paragraph, else the first level-1 heading, else the file name.
/// A password-protected file raises <see cref="DocumentReadFailure.Encrypted"/>; a Word 6/95 file, another Office
/// file or a damaged one <see cref="DocumentReadFailure.Corrupt"/>, naming the file and the structure at fault.
/// </summary>
public sealed partial class DocDocumentReader : IDocumentReader
{
    private const string Format = "a Word 97–2003 document";

    /// <summary>Stands for a character of deleted or hidden text in the text read (a noncharacter, never in a document).</summary>
    private const char HiddenCharacter = '\uFFFF';

    // Indexes in FibRgFcLcb97 (MS-DOC 2.5.6) of the (offset, length) pairs read.
    private const int StyleSheetBlock = 1;
    private const int FootnoteReferences = 2;
    private const int FootnoteTexts = 3;
    private const int CharacterProperties = 12;
    private const int ParagraphProperties = 13;
    private const int PieceTable = 33;
    private const int ShapeAnchors = 40;
    private const int EndnoteReferences = 46;
    private const int EndnoteTexts = 47;
    private const int TextBoxTexts = 56;

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".doc", ".dot"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var file = CompoundFile.Open(sourcePath, content, Format);
        var document = new Document(sourcePath, file);
        var walker = new Walker(document, cancellationToken);
        walker.Read();
        var sections = walker.Blocks.Sections.Build();
        var title = file.SummaryTitle()
            ?? walker.Title
            ?? walker.Blocks.Sections.FirstTopHeading
            ?? Path.GetFileNameWithoutExtension(sourcePath);
        return new RagDocument(sourcePath, title, sections);
    }

    [GeneratedRegex(@"^(toc|index|contents)(\s*[1-9]|\s+heading)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GeneratedName();

    /// <summary>The parsed structures of the file: text by character position, paragraph properties, styles, notes.</summary>
    private sealed class Document
    {
        private readonly string _sourcePath;
        private readonly byte[] _word;
        private readonly byte[] _table;
        private readonly int _fcLcb;
        private readonly int _pairs;
        private readonly (int Cp, int Fc, bool Compressed)[] _pieces;
        private readonly uint[] _papxBoundaries = [];
        private readonly uint[] _papxPages = [];
        private readonly List<(uint Start, uint End)> _hidden;

        public Document(string sourcePath, CompoundFile file)
        {
            _sourcePath = sourcePath;
            _word = file.ReadRequired("WordDocument", ".doc");
            if (_word.Length < 0x22 || BinaryPrimitives.ReadUInt16LittleEndian(_word) != 0xA5EC)
            {
                throw Corrupt("its 'WordDocument' stream does not start with a Word file information block");
            }

            var nFib = BinaryPrimitives.ReadUInt16LittleEndian(_word.AsSpan(2));
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(_word.AsSpan(0x0A));
            if ((flags & 0x0100) != 0 || (flags & 0x8000) != 0)
            {
                throw new DocumentReadException(sourcePath, DocumentReadFailure.Encrypted, $"'{sourcePath}' is encrypted with a password; save it without one to read it.");
            }

            if (nFib < 0x00C0)
            {
                throw Corrupt($"it is a Word 6.0/95 file (version {nFib}), which is not read; save it as .docx or Word 97–2003");
            }

            var tableName = (flags & 0x0200) != 0 ? "1Table" : "0Table";
            _table = file.Read(tableName) ?? throw Corrupt($"its table stream '{tableName}' is missing");

            // FibBase (32 bytes), then csw and FibRgW, cslw and FibRgLw, cbRgFcLcb and FibRgFcLcb.
            var csw = U16(_word, 0x20, "the file information block");
            var lwAt = 0x22 + (2 * csw);
            var cslw = U16(_word, lwAt, "the file information block");
            var longs = lwAt + 2;
            // Sub-documents follow each other in character positions: main text, footnotes, headers, (macros), comments, endnotes.
            long[] lengths = [I32(_word, longs + (3 * 4)), I32(_word, longs + (4 * 4)), I32(_word, longs + (5 * 4)), I32(_word, longs + (6 * 4)), I32(_word, longs + (7 * 4))];
            if (lengths.Any(length => length < 0) || lengths.Sum() > int.MaxValue)
            {
                throw Corrupt("its file information block gives text lengths that are negative or too large");
            }

            _pairs = U16(_word, longs + (4 * cslw), "the file information block");
            _fcLcb = longs + (4 * cslw) + 2;
            _pieces = ReadPieces();
            TextLength = (int)Math.Min(lengths[0], _pieces[^1].Cp);
            (_papxBoundaries, _papxPages) = ReadPlc(ParagraphProperties, 4);
            _hidden = HiddenRuns();
            Styles = new StyleSheet(Block(StyleSheetBlock));
            Footnotes = ReadNotes(FootnoteReferences, FootnoteTexts, (int)lengths[0]);
            Endnotes = ReadNotes(EndnoteReferences, EndnoteTexts, (int)lengths.Sum());

            // Text boxes follow the endnotes (FibRgLw97: ccpEdn, then ccpTxbx).
            TextBoxes = ReadTextBoxes(lengths.Sum() + I32(_word, longs + (8 * 4)));
        }

        /// <summary>Characters of the main text (character positions 0 to this; no more than the pieces hold).</summary>
        public int TextLength { get; }

        /// <summary>The length of the WordDocument stream: no text read from the file can be longer.</summary>
        public int StreamLength => _word.Length;

        public StyleSheet Styles { get; }

        /// <summary>Note texts by the character position of their reference mark in the main text.</summary>
        public Dictionary<int, (int Start, int End)> Footnotes { get; }

        public Dictionary<int, (int Start, int End)> Endnotes { get; }

        /// <summary>
        /// Text box stories in order of their anchors: the character position in the main text of the shape that holds
        /// each (int.MaxValue when no shape of the main text does: a group's or a header's), and its text range.
        /// </summary>
        public List<(int Anchor, int Start, int End)> TextBoxes { get; }

        public DocumentReadException Corrupt(string what) =>
            new(_sourcePath, DocumentReadFailure.Corrupt, $"'{_sourcePath}' cannot be read as {Format}: {what}.");

        /// <summary>The characters from <paramref name="start"/> up to <paramref name="end"/>, piece by piece.</summary>
        public string Text(int start, int end)
        {
            var text = new StringBuilder(Math.Clamp(end - start, 0, 1 << 16));
            var piece = PieceAt(start);
            for (var cp = start; cp < end && piece < _pieces.Length - 1; piece++)
            {
                var (pieceStart, fc, compressed) = _pieces[piece];
                var pieceEnd = Math.Min(end, _pieces[piece + 1].Cp);
                if (cp >= pieceEnd)
                {
                    continue;
                }

                var offset = fc + ((long)(cp - pieceStart) * (compressed ? 1 : 2));
                var bytes = (long)(pieceEnd - cp) * (compressed ? 1 : 2);
                if (offset < 0 || offset + bytes > _word.Length)
                {
                    throw Corrupt($"a piece of its text (at character {cp}) lies past the end of the 'WordDocument' stream");
                }

                var span = _word.AsSpan((int)offset, (int)bytes);
                var segment = text.Length;
                text.Append(compressed ? TextDecoding.Windows1252(span) : Encoding.Unicode.GetString(span));
                Hide(text, segment, (uint)offset, (uint)(offset + bytes), compressed ? 1 : 2);
                cp = pieceEnd;
            }

            return text.ToString();
        }

        /// <summary>The style, outline level and table and list marks of the paragraph whose mark is at <paramref name="cp"/>.</summary>
        public ParagraphInfo Paragraph(int cp)
        {
            var piece = PieceAt(cp);
            if (piece >= _pieces.Length - 1)
            {
                return default;
            }

            var (pieceStart, fc, compressed) = _pieces[piece];
            var position = (uint)(fc + ((long)(cp - pieceStart) * (compressed ? 1 : 2)));
            var page = Locate(_papxBoundaries, position);
            if (page < 0)
            {
                return default;
            }

            var pageAt = (long)(_papxPages[page] & 0x3FFFFF) * 512;
            if (pageAt + 512 > _word.Length)
            {
                return default;
            }

            var fkp = _word.AsSpan((int)pageAt, 512);
            var runs = fkp[511];
            if (runs == 0 || (4 * (runs + 1)) + (13 * runs) > 511)
            {
                return default;
            }

            // The page's run boundaries, read in place (little-endian, as the machines .NET runs on).
            var run = Locate(MemoryMarshal.Cast<byte, uint>(fkp[..(4 * (runs + 1))]), position);
            if (run < 0)
            {
                return default;
            }

            var at = 2 * fkp[(4 * (runs + 1)) + (13 * run)];
            if (at == 0 || at >= 511)
            {
                return default;
            }

            var (start, size) = fkp[at] == 0 ? (at + 2, 2 * fkp[at + 1]) : (at + 1, (2 * fkp[at]) - 1);
            if (size < 2 || start + size > 511)
            {
                return default;
            }

            var properties = fkp.Slice(start, size);
            var info = new ParagraphInfo { Style = BinaryPrimitives.ReadUInt16LittleEndian(properties) };
            return Sprms.Read(properties[2..], info);
        }

        /// <summary>
        /// Replaces the characters of <paramref name="text"/> from <paramref name="at"/> (stream bytes
        /// <paramref name="start"/> to <paramref name="end"/>, <paramref name="width"/> bytes each) that deleted or hidden
        /// runs cover with <see cref="HiddenCharacter"/>.
        /// </summary>
        private void Hide(StringBuilder text, int at, uint start, uint end, int width)
        {
            int low = 0, high = _hidden.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (_hidden[middle].End <= start)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            for (var i = low; i < _hidden.Count && _hidden[i].Start < end; i++)
            {
                var from = Math.Max(_hidden[i].Start, start);
                var to = Math.Min(_hidden[i].End, end);
                for (var fc = from - ((from - start) % width); fc < to; fc += (uint)width)
                {
                    text[at + (int)((fc - start) / width)] = HiddenCharacter;
                }
            }
        }

        /// <summary>
        /// The stream byte ranges of character runs deleted by a tracked change or hidden (character property pages,
        /// PlcBteChpx), in order and not overlapping.
        /// </summary>
        private List<(uint Start, uint End)> HiddenRuns()
        {
            var runs = new List<(uint Start, uint End)>();
            var (_, pages) = ReadPlc(CharacterProperties, 4);
            foreach (var page in pages)
            {
                var pageAt = (long)(page & 0x3FFFFF) * 512;
                if (pageAt + 512 > _word.Length)
                {
                    continue;
                }

                var fkp = _word.AsSpan((int)pageAt, 512);
                var count = fkp[511];
                if ((4 * (count + 1)) + count > 511)
                {
                    continue;
                }

                for (var i = 0; i < count; i++)
                {
                    var (start, end) = (BinaryPrimitives.ReadUInt32LittleEndian(fkp[(4 * i)..]), BinaryPrimitives.ReadUInt32LittleEndian(fkp[(4 * (i + 1))..]));
                    var at = 2 * fkp[(4 * (count + 1)) + i];
                    if (at == 0 || at >= 511 || start >= end || at + 1 + fkp[at] > 511)
                    {
                        continue;
                    }

                    if (Sprms.Read(fkp.Slice(at + 1, fkp[at]), default).Hidden)
                    {
                        runs.Add((start, end));
                    }
                }
            }

            runs.Sort();
            var merged = new List<(uint Start, uint End)>(runs.Count);
            foreach (var run in runs)
            {
                if (merged.Count > 0 && run.Start <= merged[^1].End)
                {
                    merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, run.End));
                }
                else
                {
                    merged.Add(run);
                }
            }

            return merged;
        }

        /// <summary>The index of the piece holding <paramref name="cp"/> (the last piece start at or before it).</summary>
        private int PieceAt(int cp)
        {
            int low = 0, high = _pieces.Length - 2;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (_pieces[middle].Cp <= cp)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return Math.Max(low, 0);
        }

        /// <summary>The interval of sorted <paramref name="boundaries"/> holding <paramref name="value"/>, or -1.</summary>
        private static int Locate(ReadOnlySpan<uint> boundaries, uint value)
        {
            if (boundaries.Length < 2 || value < boundaries[0] || value >= boundaries[^1])
            {
                return -1;
            }

            int low = 0, high = boundaries.Length - 2;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (boundaries[middle] <= value)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return low;
        }

        /// <summary>The bytes of an (offset, length) pair's block in the table stream, empty when absent.</summary>
        private ReadOnlySpan<byte> Block(int pair)
        {
            if (pair >= _pairs || _fcLcb + (8 * pair) + 8 > _word.Length)
            {
                return [];
            }

            var offset = BinaryPrimitives.ReadUInt32LittleEndian(_word.AsSpan(_fcLcb + (8 * pair)));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(_word.AsSpan(_fcLcb + (8 * pair) + 4));
            if (length == 0)
            {
                return [];
            }

            if ((long)offset + length > _table.Length)
            {
                throw Corrupt($"its structure #{pair} in the file information block lies past the end of the table stream");
            }

            return _table.AsSpan((int)offset, (int)length);
        }

        /// <summary>
        /// A PLC: n + 1 positions and n data items of <paramref name="itemSize"/> bytes, each read as the 32-bit value
        /// (16-bit when the item is smaller) at <paramref name="itemOffset"/>.
        /// </summary>
        private (uint[] Positions, uint[] Items) ReadPlc(int pair, int itemSize, int itemOffset = 0)
        {
            var block = Block(pair);
            if (block.Length < 4)
            {
                return ([], []);
            }

            var count = (block.Length - 4) / (4 + itemSize);
            var positions = new uint[count + 1];
            var items = new uint[itemSize > 0 ? count : 0];
            for (var i = 0; i <= count; i++)
            {
                positions[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * i)..]);
            }

            for (var i = 0; i < items.Length; i++)
            {
                var at = (4 * (count + 1)) + (itemSize * i) + itemOffset;
                items[i] = itemSize >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(block[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(block[at..]);
            }

            return (positions, items);
        }

        /// <summary>Notes: reference positions in the main text, and text ranges in their sub-document starting at <paramref name="start"/>.</summary>
        private Dictionary<int, (int Start, int End)> ReadNotes(int references, int texts, int start)
        {
            var notes = new Dictionary<int, (int, int)>();
            var (referencePositions, _) = ReadPlc(references, 2);
            var (textPositions, _) = ReadPlc(texts, 0);
            for (var i = 0; i < referencePositions.Length - 1 && i < textPositions.Length - 1; i++)
            {
                var (from, to) = ((long)start + textPositions[i], (long)start + textPositions[i + 1]);
                if (from <= to && to <= int.MaxValue)
                {
                    notes.TryAdd((int)Math.Min(referencePositions[i], int.MaxValue), ((int)from, (int)to));
                }
            }

            return notes;
        }

        /// <summary>Text box stories (PlcftxbxTxt, each naming its shape) placed at their shapes' anchors (PlcSpaMom).</summary>
        private List<(int Anchor, int Start, int End)> ReadTextBoxes(long start)
        {
            // FSPA (26 bytes) starts with the shape id; FTXBXS (22 bytes) has it at byte 14.
            var (anchors, shapes) = ReadPlc(ShapeAnchors, 26);
            var anchorOf = new Dictionary<uint, int>();
            for (var i = 0; i < shapes.Length; i++)
            {
                anchorOf.TryAdd(shapes[i], (int)Math.Min(anchors[i], int.MaxValue));
            }

            var (stories, shapeIds) = ReadPlc(TextBoxTexts, 22, itemOffset: 14);
            var boxes = new List<(int Anchor, int Start, int End)>();

            // The last story is the empty one the format requires after the others.
            for (var i = 0; i < shapeIds.Length - 1; i++)
            {
                var (from, to) = (start + stories[i], start + stories[i + 1]);
                if (from < to && to <= int.MaxValue)
                {
                    boxes.Add((anchorOf.TryGetValue(shapeIds[i], out var anchor) ? anchor : int.MaxValue, (int)from, (int)to));
                }
            }

            return [.. boxes.OrderBy(box => box.Anchor)];
        }

        /// <summary>The piece table (Clx): character positions and where their text lies, in order.</summary>
        private (int Cp, int Fc, bool Compressed)[] ReadPieces()
        {
            var clx = Block(PieceTable);
            var at = 0;
            while (at < clx.Length && clx[at] == 0x01)
            {
                // Prc: formatting shared by pieces (skipped).
                at += 3 + (at + 3 <= clx.Length ? BinaryPrimitives.ReadUInt16LittleEndian(clx[(at + 1)..]) : clx.Length);
            }

            if (at + 5 > clx.Length || clx[at] != 0x02)
            {
                throw Corrupt("its piece table (Clx) is missing or damaged");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(clx[(at + 1)..]);
            if (length < 4 || at + 5 + (long)length > clx.Length)
            {
                throw Corrupt("its piece table (Clx) is cut short");
            }

            var plc = clx.Slice(at + 5, (int)length);
            var count = (plc.Length - 4) / 12;
            var pieces = new (int Cp, int Fc, bool Compressed)[count + 1];
            long characters = 0;
            for (var i = 0; i <= count; i++)
            {
                var cp = BinaryPrimitives.ReadInt32LittleEndian(plc[(4 * i)..]);
                if (cp < 0 || (i > 0 && cp < pieces[i - 1].Cp))
                {
                    throw Corrupt("its piece table's character positions are out of order");
                }

                if (i < count)
                {
                    var raw = BinaryPrimitives.ReadUInt32LittleEndian(plc[((4 * (count + 1)) + (8 * i) + 2)..]);
                    var compressed = (raw & 0x40000000) != 0;
                    var fc = (int)(raw & 0x3FFFFFFF);
                    pieces[i] = (cp, compressed ? fc / 2 : fc, compressed);
                }
                else
                {
                    pieces[i] = (cp, 0, false);
                }

                characters += i > 0 ? cp - pieces[i - 1].Cp : 0;
            }

            // Each character takes at least a byte of the stream; more means pieces overlap (a crafted file).
            if (characters > _word.Length)
            {
                throw Corrupt($"its piece table maps {characters:N0} characters onto a {_word.Length:N0}-byte text stream");
            }

            return pieces;
        }

        private int U16(byte[] bytes, int at, string what) =>
            at >= 0 && at + 2 <= bytes.Length ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at)) : throw Corrupt($"{what} is cut short");

        private int I32(byte[] bytes, int at) =>
            at >= 0 && at + 4 <= bytes.Length ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) : throw Corrupt("the file information block is cut short");
    }

    /// <summary>What a paragraph's properties say: its style, outline level, list, and table marks.</summary>
    private struct ParagraphInfo
    {
        public int Style;
        public int? Outline;
        public bool InTable;
        public bool RowEnd;
        public bool ListItem;

        /// <summary>For character properties: the text is deleted (tracked change) or hidden.</summary>
        public bool Hidden;
    }

    /// <summary>Reads the few single property modifiers (sprms) the reader needs from a property list.</summary>
    private static class Sprms
    {
        public static ParagraphInfo Read(ReadOnlySpan<byte> list, ParagraphInfo info)
        {
            var at = 0;
            while (at + 2 <= list.Length)
            {
                var sprm = BinaryPrimitives.ReadUInt16LittleEndian(list[at..]);
                at += 2;
                var operand = OperandSize(sprm, list[at..]);
                if (operand < 0 || at + operand > list.Length)
                {
                    break;
                }

                var value = operand > 0 ? list[at] : (byte)0;
                switch (sprm)
                {
                    case 0x0800 or 0x083C:
                        // sprmCFRMarkDel (deleted by a tracked change), sprmCFVanish (hidden): on, or the opposite of an off style.
                        info.Hidden |= value is 1 or 0x81;
                        break;
                    case 0x2640:
                        info.Outline = value;
                        break;
                    case 0x2416:
                        info.InTable = value != 0;
                        break;
                    case 0x2417 or 0x244C:
                        info.RowEnd |= value != 0;
                        break;
                    case 0x460B:
                        info.ListItem = BinaryPrimitives.ReadUInt16LittleEndian(list[at..]) != 0;
                        break;
                }

                at += operand;
            }

            return info;
        }

        /// <summary>The operand's size from the sprm's spra bits (variable ones carry their size), or -1 when cut short.</summary>
        private static int OperandSize(ushort sprm, ReadOnlySpan<byte> rest) => (sprm >> 13) switch
        {
            0 or 1 => 1,
            2 or 4 or 5 => 2,
            3 => 4,
            7 => 3,
            _ when sprm is 0xD608 or 0xD606 => rest.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(rest) + 1 : -1,
            _ when sprm == 0xC615 && rest.Length >= 1 && rest[0] == 255 => -1,
            _ => rest.Length >= 1 ? rest[0] + 1 : -1,
        };
    }

    /// <summary>The style sheet: each style's built-in identifier, base style, name and outline level.</summary>
    private sealed class StyleSheet
    {
        private const int TitleSti = 62;
        private readonly List<(int Sti, int Base, string Name, int? Outline)> _styles = [];

        public StyleSheet(ReadOnlySpan<byte> block)
        {
            try
            {
                Parse(block);
            }
            catch (ArgumentOutOfRangeException)
            {
                // A damaged style sheet leaves the styles read so far; paragraphs of other styles read as body text.
            }
        }

        private void Parse(ReadOnlySpan<byte> block)
        {
            if (block.Length < 6)
            {
                return;
            }

            var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(block);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(block[2..]);
            var baseSize = BinaryPrimitives.ReadUInt16LittleEndian(block[4..]);
            var at = 2 + headerSize;
            for (var istd = 0; istd < count && at + 2 <= block.Length; istd++)
            {
                var size = BinaryPrimitives.ReadUInt16LittleEndian(block[at..]);
                var std = block.Slice(at + 2, size);
                at += 2 + size;
                if (size < 10 || baseSize < 10 || baseSize > size)
                {
                    _styles.Add((-1, 0xFFF, "", null));
                    continue;
                }

                var sti = BinaryPrimitives.ReadUInt16LittleEndian(std) & 0x0FFF;
                var kind = BinaryPrimitives.ReadUInt16LittleEndian(std[2..]) & 0x000F;
                var basedOn = BinaryPrimitives.ReadUInt16LittleEndian(std[2..]) >> 4;
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(std[baseSize..]);
                var name = Encoding.Unicode.GetString(std.Slice(baseSize + 2, 2 * nameLength));
                int? outline = null;
                var upx = baseSize + 2 + (2 * nameLength) + 2;
                upx += upx % 2;
                if (kind == 1 && upx + 4 <= std.Length)
                {
                    var upxSize = BinaryPrimitives.ReadUInt16LittleEndian(std[upx..]);
                    if (upxSize >= 2 && upx + 2 + upxSize <= std.Length)
                    {
                        outline = Sprms.Read(std.Slice(upx + 4, upxSize - 2), default).Outline;
                    }
                }

                _styles.Add((kind == 1 ? sti : -1, basedOn, name, outline));
            }
        }

        /// <summary>The heading level (1–9) a paragraph style gives, or 0, following base styles (16 deep at most).</summary>
        public int HeadingLevel(int istd)
        {
            for (var depth = 0; depth < 16 && istd >= 0 && istd < _styles.Count; depth++)
            {
                var (sti, basedOn, name, outline) = _styles[istd];
                if (outline is { } level)
                {
                    return level is >= 0 and <= 8 ? level + 1 : 0;
                }

                if (sti is >= 1 and <= 9)
                {
                    return sti;
                }

                if (WordFields.HeadingLevel(name) is > 0 and var named)
                {
                    return named;
                }

                istd = basedOn;
            }

            return 0;
        }

        /// <summary>
        /// Whether a paragraph style is a table of contents or index entry or heading: built-in <c>index 1</c>…<c>toc 9</c>,
        /// or named <c>toc …</c>, <c>index …</c>, <c>contents …</c> (LibreOffice's names).
        /// </summary>
        public bool IsGenerated(int istd) =>
            istd >= 0 && istd < _styles.Count
            && (_styles[istd].Sti is >= 10 and <= 27 || GeneratedName().IsMatch(_styles[istd].Name));

        public bool IsTitle(int istd) => istd >= 0 && istd < _styles.Count && _styles[istd].Sti == TitleSti;
    }

    /// <summary>Walks the main text character by character into sections.</summary>
    private sealed class Walker(Document document, CancellationToken cancellationToken)
    {
        private readonly StringBuilder _paragraph = new();
        private readonly WordFields _fields = new();
        private bool _inTable;
        private bool _rowOpen;
        private bool _cellOpen;
        private readonly List<(int Start, int End)> _anchoredBoxes = [];
        private long _noteCharacters;
        private int _nextBox;
        private int _linkedLetters;
        private int _unlinkedLetters;

        public OfficeBlocks Blocks { get; } = new(new SectionBuilder());

        public string? Title { get; private set; }

        public void Read()
        {
            const int Slice = 64 * 1024;
            for (var start = 0; start < document.TextLength; start += Slice)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = (int)Math.Min((long)start + Slice, document.TextLength);
                var text = document.Text(start, end);
                for (var i = 0; i < text.Length; i++)
                {
                    Character(start + i, text[i]);
                }
            }

            if (_paragraph.Length > 0 || _anchoredBoxes.Count > 0)
            {
                EndParagraph(document.TextLength, '\r');
            }

            if (_inTable)
            {
                Blocks.EndTable();
            }

            // Text boxes no shape of the main text holds (in groups, or in headers) come last, one paragraph each.
            for (; _nextBox < document.TextBoxes.Count; _nextBox++)
            {
                Blocks.Emit(OfficeBlocks.Tidy(SubdocumentText(document.TextBoxes[_nextBox].Start, document.TextBoxes[_nextBox].End)));
            }
        }

        private void Character(int cp, char c)
        {
            // A text box joins the end of the paragraph that anchors its shape.
            while (_nextBox < document.TextBoxes.Count && document.TextBoxes[_nextBox].Anchor <= cp)
            {
                _anchoredBoxes.Add((document.TextBoxes[_nextBox].Start, document.TextBoxes[_nextBox].End));
                _nextBox++;
            }

            switch (c)
            {
                case HiddenCharacter:
                    return;
                case '\r' or '\a' or '\f':
                    EndParagraph(cp, c);
                    return;
                case '\u0013':
                    _fields.Begin();
                    return;
                case '\u0014':
                    _fields.Separate();
                    return;
                case '\u0015':
                    _fields.End();
                    return;
                case '\u0002' when document.Footnotes.TryGetValue(cp, out var footnote):
                    Blocks.Note(NoteText(footnote));
                    return;
                case '\u0002' when document.Endnotes.TryGetValue(cp, out var endnote):
                    Blocks.Note(NoteText(endnote));
                    return;
            }

            if (_fields.InCode)
            {
                _fields.Code(c.ToString());
            }
            else if (_fields.Visible)
            {
                Append(_paragraph, c);
                if (char.IsLetter(c) && _fields.InAnchorLink)
                {
                    _linkedLetters++;
                }
                else if (char.IsLetter(c))
                {
                    _unlinkedLetters++;
                }
            }
        }

        /// <summary>Appends a text character: tabs and line breaks as whitespace, non-breaking hyphens as hyphens, marks and objects dropped.</summary>
        private static void Append(StringBuilder text, char c)
        {
            switch (c)
            {
                case '\t':
                    text.Append('\t');
                    break;
                case '\v':
                    text.Append('\n');
                    break;
                case '\u001E':
                    text.Append('-');
                    break;
                case < ' ' or HiddenCharacter:
                    // Pictures, drawn objects, note and comment marks, optional hyphens and other controls; deleted text.
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        /// <summary>A paragraph, cell or section ends at <paramref name="cp"/>: place it by its properties.</summary>
        private void EndParagraph(int cp, char mark)
        {
            var boxes = _anchoredBoxes.Count == 0 ? "" : OfficeBlocks.Tidy(string.Join(' ', _anchoredBoxes.Select(box => SubdocumentText(box.Start, box.End))));
            _anchoredBoxes.Clear();
            var text = OfficeBlocks.Tidy(_paragraph.ToString());
            _paragraph.Clear();
            var onlyAnchorLinks = _linkedLetters > 0 && _unlinkedLetters * 10 <= _linkedLetters;
            (_linkedLetters, _unlinkedLetters) = (0, 0);
            _fields.DropUnfinishedCodes();

            var info = document.Paragraph(cp);
            if (info.InTable || mark == '\a')
            {
                Cell(WithBoxes(text), info.RowEnd, cellEnd: mark == '\a');
                return;
            }

            if (_inTable)
            {
                Blocks.EndTable();
                _inTable = false;
            }

            if (document.Styles.IsGenerated(info.Style) || (info.ListItem && onlyAnchorLinks))
            {
                // A table of contents: generated, or a list of nothing but links to places in the document.
                EmitBoxes();
                return;
            }

            var level = info.Outline is { } outline ? (outline is >= 0 and <= 8 ? outline + 1 : 0) : document.Styles.HeadingLevel(info.Style);
            if (document.Styles.IsTitle(info.Style) && text.Length > 0)
            {
                Title ??= Whitespace.Collapse(text);
                Blocks.Heading(1, text);
                EmitBoxes();
            }
            else if (level > 0 && text.Length > 0)
            {
                // A text box anchored in a heading follows it rather than lengthening it.
                Blocks.Heading(level, text);
                EmitBoxes();
            }
            else
            {
                Blocks.Emit(WithBoxes(text), info.ListItem);
            }

            string WithBoxes(string paragraph) => boxes.Length == 0 ? paragraph : paragraph.Length == 0 ? boxes : $"{paragraph} {boxes}";

            void EmitBoxes()
            {
                if (boxes.Length > 0)
                {
                    Blocks.Emit(boxes);
                }
            }
        }

        /// <summary>A paragraph of a table cell (paragraphs of a cell join it; a cell mark ends the cell); a row-end mark closes the row.</summary>
        private void Cell(string text, bool rowEnd, bool cellEnd)
        {
            if (!_inTable)
            {
                Blocks.BeginTable();
                _inTable = true;
            }

            if (rowEnd)
            {
                Blocks.EndRow();
                (_rowOpen, _cellOpen) = (false, false);
                return;
            }

            if (!_rowOpen)
            {
                Blocks.BeginRow();
                _rowOpen = true;
            }

            if (!_cellOpen)
            {
                Blocks.BeginCell();
                _cellOpen = true;
            }

            Blocks.Emit(text);
            _cellOpen = !cellEnd;
        }

        private string NoteText((int Start, int End) note) => SubdocumentText(note.Start, note.End);

        /// <summary>The text of a note or text box, its paragraphs joined with spaces.</summary>
        private string SubdocumentText(int start, int end)
        {
            var text = new StringBuilder();
            var source = document.Text(start, end);
            _noteCharacters += source.Length;
            if (_noteCharacters > document.StreamLength)
            {
                // Notes that reference the same text over and over (a crafted file) would multiply it without bound.
                throw document.Corrupt("its footnotes, endnotes and text boxes repeat more text than the file holds");
            }

            foreach (var c in source)
            {
                Append(text, c is '\r' or '\a' ? ' ' : c);
            }

            return text.ToString();
        }
    }
}
