using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// Reads Excel 97–2003 workbooks (<c>.xls</c>, <c>.xlt</c>: BIFF8 in an OLE compound file) as <see cref="XlsxDocumentReader"/>
/// reads <c>.xlsx</c> files: worksheets in the workbook's order, each a section named after it, each row a paragraph
/// (<c>Header: value; Header: value</c> under a header row, else cells joined with <c> | </c>). Cells give shared and
/// inline strings, numbers (15 significant digits, as Excel shows them), booleans as TRUE/FALSE, formulas by their
/// cached result, and numbers in a date format (built-in or custom, 1900 or 1904 date system) as ISO dates. Chart and
/// macro sheets, and charts embedded in worksheets, are left out. The title is the summary information's, else the file name. A workbook with a password
/// to open raises <see cref="DocumentReadFailure.Encrypted"/>; an Excel 5.0/95 workbook, another Office file or a
/// damaged one <see cref="DocumentReadFailure.Corrupt"/>; more than <see cref="MaxCells"/> cells
/// <see cref="DocumentReadFailure.TooLarge"/>.
/// </summary>
public sealed class XlsDocumentReader : IDocumentReader
{
    /// <summary>The default <see cref="MaxCells"/>: 4,000,000.</summary>
    public const int DefaultMaxCells = 4_000_000;

    private const string Format = "an Excel 97–2003 workbook";

    /// <summary>Creates a reader.</summary>
    /// <param name="maxCells">The most cells with a value read from a workbook; default <see cref="DefaultMaxCells"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCells"/> is below 1.</exception>
    public XlsDocumentReader(int maxCells = DefaultMaxCells)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCells, 1);
        MaxCells = maxCells;
    }

    /// <summary>The most cells with a value read from a workbook; past it reading stops with <see cref="DocumentReadFailure.TooLarge"/>.</summary>
    public int MaxCells { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".xls", ".xlt"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var file = CompoundFile.Open(sourcePath, content, Format);
        if (!file.Contains("Workbook") && file.Contains("Book"))
        {
            throw new DocumentReadException(sourcePath, DocumentReadFailure.Corrupt, $"'{sourcePath}' is an Excel 5.0/95 workbook, which is not read; save it as .xlsx or Excel 97–2003.");
        }

        var stream = file.ReadRequired("Workbook", ".xls");
        var workbook = new Workbook(sourcePath, stream, MaxCells);
        var sections = new SectionBuilder();
        foreach (var (name, offset) in workbook.Sheets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sections.ResetHeadings();
            sections.Heading(1, name);
            TableRows.Write(workbook.Rows(offset, cancellationToken), sections, cancellationToken);
        }

        return new RagDocument(sourcePath, file.SummaryTitle() ?? Path.GetFileNameWithoutExtension(sourcePath), sections.Build());
    }

    /// <summary>The workbook stream: its globals (sheets, shared strings, formats) and each sheet's cells.</summary>
    private sealed class Workbook
    {
        private const ushort Bof = 0x0809;
        private const ushort Eof = 0x000A;
        private const ushort Continue = 0x003C;

        private readonly string _sourcePath;
        private readonly byte[] _stream;
        private readonly int _maxCells;
        private readonly List<string> _strings = [];
        private readonly Dictionary<int, string> _formats = [];
        private readonly List<int> _cellFormats = [];
        private bool _date1904;
        private int _cells;

        public Workbook(string sourcePath, byte[] stream, int maxCells)
        {
            _sourcePath = sourcePath;
            _stream = stream;
            _maxCells = maxCells;
            ReadGlobals();
        }

        /// <summary>The worksheets: name and the stream offset of their first record.</summary>
        public List<(string Name, int Offset)> Sheets { get; } = [];

        /// <summary>A worksheet's rows in order, cells by column (gaps empty); rows without a value are left out.</summary>
        public List<IReadOnlyList<string?>> Rows(int offset, CancellationToken cancellationToken)
        {
            var rows = new SortedDictionary<int, SortedDictionary<int, string>>();
            var stringFormula = false;
            (int Row, int Column) formulaCell = default;
            var records = 0;
            var depth = 0;
            foreach (var (type, record) in Records(offset))
            {
                var data = record.Span;
                if (++records == 1 && type != Bof)
                {
                    throw Corrupt($"a sheet's offset ({offset}) does not point to the start of a sheet");
                }

                if ((records & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                // An embedded chart is a substream of its own (BOF … EOF) inside the sheet's: its records are not cells.
                depth += type == Bof ? 1 : type == Eof ? -1 : 0;
                if (depth <= 0)
                {
                    break;
                }

                if (depth > 1)
                {
                    continue;
                }

                if (stringFormula && type == 0x0207)
                {
                    // STRING: the cached text of the formula before it.
                    Put(rows, formulaCell.Row, formulaCell.Column, UnicodeString(data, 0));
                    stringFormula = false;
                    continue;
                }

                stringFormula = false;
                if (data.Length < 6 && type is 0x00FD or 0x0204 or 0x0203 or 0x027E or 0x00BD or 0x0006 or 0x0205)
                {
                    throw Corrupt($"a cell record (0x{type:X4}) is cut short");
                }

                switch (type)
                {
                    case 0x00FD when data.Length >= 10:
                        // LABELSST: a shared string.
                        var index = BinaryPrimitives.ReadInt32LittleEndian(data[6..]);
                        Put(rows, Row(data), Column(data), index >= 0 && index < _strings.Count ? _strings[index] : null);
                        break;
                    case 0x0204:
                        Put(rows, Row(data), Column(data), UnicodeString(data, 6));
                        break;
                    case 0x0203 when data.Length >= 14:
                        Put(rows, Row(data), Column(data), Number(BinaryPrimitives.ReadDoubleLittleEndian(data[6..]), Style(data)));
                        break;
                    case 0x027E when data.Length >= 10:
                        Put(rows, Row(data), Column(data), Number(Rk(BinaryPrimitives.ReadUInt32LittleEndian(data[6..])), Style(data)));
                        break;
                    case 0x00BD:
                        // MULRK: a run of (style, RK) pairs from one column on.
                        var first = Column(data);
                        for (var i = 0; 4 + (6 * i) + 6 <= data.Length - 2; i++)
                        {
                            var at = 4 + (6 * i);
                            Put(rows, Row(data), first + i, Number(Rk(BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 2)..])), BinaryPrimitives.ReadUInt16LittleEndian(data[at..])));
                        }

                        break;
                    case 0x0006 when data.Length >= 14:
                        if (BinaryPrimitives.ReadUInt16LittleEndian(data[12..]) != 0xFFFF)
                        {
                            Put(rows, Row(data), Column(data), Number(BinaryPrimitives.ReadDoubleLittleEndian(data[6..]), Style(data)));
                        }
                        else if (data[6] == 0)
                        {
                            stringFormula = true;
                            formulaCell = (Row(data), Column(data));
                        }
                        else if (data[6] == 1)
                        {
                            Put(rows, Row(data), Column(data), data[8] != 0 ? "TRUE" : "FALSE");
                        }

                        break;
                    case 0x0205 when data.Length >= 8 && data[7] == 0:
                        // BOOLERR holding a boolean (errors are left out).
                        Put(rows, Row(data), Column(data), data[6] != 0 ? "TRUE" : "FALSE");
                        break;
                }
            }

            var result = new List<IReadOnlyList<string?>>(rows.Count);
            foreach (var cells in rows.Values)
            {
                var row = new string?[cells.Keys.Max() + 1];
                foreach (var (column, value) in cells)
                {
                    row[column] = value;
                }

                result.Add(row);
            }

            return result;
        }

        private static int Row(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadUInt16LittleEndian(data);

        private static int Column(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);

        private static int Style(ReadOnlySpan<byte> data) => BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);

        private void Put(SortedDictionary<int, SortedDictionary<int, string>> rows, int row, int column, string? value)
        {
            if (string.IsNullOrEmpty(value) || column > 255)
            {
                return;
            }

            if (++_cells > _maxCells)
            {
                throw new DocumentReadException(_sourcePath, DocumentReadFailure.TooLarge, $"'{_sourcePath}' has more than {_maxCells:N0} cells (MaxCells).");
            }

            if (!rows.TryGetValue(row, out var cells))
            {
                rows[row] = cells = [];
            }

            cells[column] = value;
        }

        /// <summary>A number as shown: a date when its cell's format is one, else up to 15 significant digits.</summary>
        private string Number(double value, int style)
        {
            var format = style < _cellFormats.Count ? _cellFormats[style] : 0;
            if (SpreadsheetValues.IsBuiltInDateFormat(format) || (_formats.TryGetValue(format, out var code) && SpreadsheetValues.IsDateFormat(code)))
            {
                if (SpreadsheetValues.Date(_date1904 ? value + 1462 : value) is { } date)
                {
                    return date;
                }
            }

            return value.ToString("G15", CultureInfo.InvariantCulture);
        }

        /// <summary>An RK number: 30 bits of an integer or of a double's high word, optionally divided by 100.</summary>
        private static double Rk(uint rk)
        {
            var value = (rk & 2) != 0
                ? (int)rk >> 2
                : BitConverter.Int64BitsToDouble((long)(rk & 0xFFFFFFFC) << 32);
            return (rk & 1) != 0 ? value / 100 : value;
        }

        private void ReadGlobals()
        {
            var first = true;
            var sst = new List<byte[]>();
            foreach (var (type, record) in Records(0))
            {
                var data = record.Span;
                if (first)
                {
                    first = false;
                    if (type != Bof || data.Length < 4 || BinaryPrimitives.ReadUInt16LittleEndian(data) != 0x0600)
                    {
                        throw Corrupt("its workbook stream does not start with a BIFF8 beginning-of-file record");
                    }

                    continue;
                }

                if (sst.Count > 0 && type != Continue)
                {
                    ReadSharedStrings(sst);
                    sst.Clear();
                }

                switch (type)
                {
                    case Eof:
                        return;
                    case 0x002F:
                        throw new DocumentReadException(_sourcePath, DocumentReadFailure.Encrypted, $"'{_sourcePath}' is encrypted with a password; save it without one to read it.");
                    case 0x0085 when data.Length >= 8:
                        // BOUNDSHEET: worksheets (type 0) by the offset of their BOF record.
                        if (data[5] == 0)
                        {
                            Sheets.Add((ShortString(data, 6), BinaryPrimitives.ReadInt32LittleEndian(data)));
                        }

                        break;
                    case 0x00FC:
                        sst.Add(data.ToArray());
                        break;
                    case Continue when sst.Count > 0:
                        sst.Add(data.ToArray());
                        break;
                    case 0x041E when data.Length >= 5:
                        _formats[BinaryPrimitives.ReadUInt16LittleEndian(data)] = UnicodeString(data, 2);
                        break;
                    case 0x00E0 when data.Length >= 4:
                        _cellFormats.Add(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]));
                        break;
                    case 0x0022 when data.Length >= 2:
                        _date1904 = BinaryPrimitives.ReadUInt16LittleEndian(data) == 1;
                        break;
                }
            }

            throw Corrupt("its workbook globals have no end-of-file record");
        }

        /// <summary>The records from <paramref name="offset"/> on: type and data (each at most the record's declared length).</summary>
        private IEnumerable<(ushort Type, ReadOnlyMemory<byte> Data)> Records(int offset)
        {
            if (offset < 0 || offset >= _stream.Length)
            {
                throw Corrupt($"a sheet starts at offset {offset}, outside the workbook stream");
            }

            for (var at = offset; at + 4 <= _stream.Length;)
            {
                var type = BinaryPrimitives.ReadUInt16LittleEndian(_stream.AsSpan(at));
                var length = BinaryPrimitives.ReadUInt16LittleEndian(_stream.AsSpan(at + 2));
                if (at + 4 + length > _stream.Length)
                {
                    throw Corrupt($"record 0x{type:X4} at offset {at} runs past the end of the workbook stream");
                }

                yield return (type, _stream.AsMemory(at + 4, length));
                at += 4 + length;
            }
        }

        /// <summary>The shared string table, from the SST record and its CONTINUE records.</summary>
        private void ReadSharedStrings(List<byte[]> segments)
        {
            var cursor = new Cursor(segments);
            cursor.Skip(8);
            while (!cursor.AtEnd)
            {
                var length = cursor.UInt16();
                var flags = cursor.Byte();
                var runs = (flags & 0x08) != 0 ? cursor.UInt16() : 0;
                var extended = (flags & 0x04) != 0 ? cursor.UInt32() : 0;
                _strings.Add(cursor.Characters(length, (flags & 0x01) != 0));
                cursor.Skip((4L * runs) + extended);
            }
        }

        /// <summary>An XLUnicodeString (16-bit count, flags, characters) at <paramref name="at"/>; cut short, what is there.</summary>
        private static string UnicodeString(ReadOnlySpan<byte> span, int at)
        {
            if (at + 3 > span.Length)
            {
                return "";
            }

            var count = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            var wide = (span[at + 2] & 0x01) != 0;
            var bytes = Math.Min(count * (wide ? 2 : 1), span.Length - at - 3) & (wide ? ~1 : ~0);
            var chars = span.Slice(at + 3, bytes);
            return wide ? Encoding.Unicode.GetString(chars) : Encoding.Latin1.GetString(chars);
        }

        /// <summary>A ShortXLUnicodeString (8-bit count, flags, characters): sheet names.</summary>
        private static string ShortString(ReadOnlySpan<byte> span, int at)
        {
            if (at + 2 > span.Length)
            {
                return "";
            }

            var count = span[at];
            var wide = (span[at + 1] & 0x01) != 0;
            var bytes = Math.Min(count * (wide ? 2 : 1), span.Length - at - 2) & (wide ? ~1 : ~0);
            var chars = span.Slice(at + 2, bytes);
            return wide ? Encoding.Unicode.GetString(chars) : Encoding.Latin1.GetString(chars);
        }

        private DocumentReadException Corrupt(string what) =>
            new(_sourcePath, DocumentReadFailure.Corrupt, $"'{_sourcePath}' cannot be read as {Format}: {what}.");
    }

    /// <summary>
    /// Reads across a record and its CONTINUE records as one byte sequence, except that characters split at a record
    /// boundary resume after a new flags byte (which says whether the rest is 8- or 16-bit).
    /// </summary>
    private sealed class Cursor(List<byte[]> segments)
    {
        private int _segment;
        private int _at;

        public bool AtEnd
        {
            get
            {
                while (_segment < segments.Count && _at >= segments[_segment].Length)
                {
                    (_segment, _at) = (_segment + 1, 0);
                }

                return _segment >= segments.Count;
            }
        }

        public byte Byte() => AtEnd ? (byte)0 : segments[_segment][_at++];

        public ushort UInt16() => (ushort)(Byte() | (Byte() << 8));

        public uint UInt32() => (uint)(UInt16() | (UInt16() << 16));

        public void Skip(long count)
        {
            while (count > 0 && !AtEnd)
            {
                var step = (int)Math.Min(count, segments[_segment].Length - _at);
                _at += step;
                count -= step;
            }
        }

        public string Characters(int count, bool wide)
        {
            var text = new StringBuilder(count);
            while (text.Length < count && !AtEnd)
            {
                if (_at == 0 && text.Length > 0)
                {
                    // A new CONTINUE record: its first byte says how the rest of the characters are stored.
                    wide = (Byte() & 0x01) != 0;
                    continue;
                }

                var segment = segments[_segment];
                var available = (segment.Length - _at) / (wide ? 2 : 1);
                var take = Math.Min(count - text.Length, available);
                if (take == 0)
                {
                    (_segment, _at) = (_segment + 1, 0);
                    continue;
                }

                var bytes = segment.AsSpan(_at, take * (wide ? 2 : 1));
                text.Append(wide ? Encoding.Unicode.GetString(bytes) : Encoding.Latin1.GetString(bytes));
                _at += bytes.Length;
            }

            return text.ToString();
        }
    }
}
