using System.Buffers.Binary;
using System.Text;

namespace AgentKit.Rag.Tests.Support;

/// <summary>
/// OLE compound files (MS-CFB, version 3, 512-byte sectors) written stream by stream, and minimal Word 97 documents in
/// them: what the legacy binary reader tests need beyond the LibreOffice fixtures (8-bit text pieces as Word writes
/// them, damaged structures).
/// </summary>
internal static class TestCompoundFiles
{
    public const uint EndOfChain = 0xFFFFFFFE;
    private const uint Free = 0xFFFFFFFF;
    private const int SectorSize = 512;

    /// <summary>
    /// A compound file holding <paramref name="streams"/> at the top level. Each stream is padded to at least 4,096
    /// bytes, so all live in regular sectors. <paramref name="fatEdit"/> may damage the allocation table.
    /// </summary>
    public static byte[] Build((string Name, byte[] Bytes)[] streams, Action<uint[]>? fatEdit = null)
    {
        var padded = streams.Select(s => s.Bytes.Length >= 4096 ? s.Bytes : [.. s.Bytes, .. new byte[4096 - s.Bytes.Length]]).ToArray();
        var directorySectors = (streams.Length + 1 + 3) / 4;
        var streamSectors = padded.Select(b => (b.Length + SectorSize - 1) / SectorSize).ToArray();
        var total = 1 + directorySectors + streamSectors.Sum();
        if (total > SectorSize / 4)
        {
            throw new ArgumentException("Too many sectors for one allocation table sector.", nameof(streams));
        }

        var fat = Enumerable.Repeat(Free, SectorSize / 4).ToArray();
        fat[0] = 0xFFFFFFFD;
        var next = 1u;
        Chain(fat, ref next, directorySectors);
        var starts = new uint[streams.Length];
        for (var i = 0; i < streams.Length; i++)
        {
            starts[i] = next;
            Chain(fat, ref next, streamSectors[i]);
        }

        fatEdit?.Invoke(fat);
        var file = new byte[(1 + total) * SectorSize];
        var header = file.AsSpan(0, SectorSize);
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[24..], 0x3E);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[30..], 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(header[44..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[48..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[56..], 4096);
        BinaryPrimitives.WriteUInt32LittleEndian(header[60..], EndOfChain);
        BinaryPrimitives.WriteUInt32LittleEndian(header[68..], EndOfChain);
        for (var i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(76 + (4 * i))..], i == 0 ? 0 : Free);
        }

        for (var i = 0; i < fat.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(SectorSize + (4 * i)), fat[i]);
        }

        var directory = file.AsSpan(2 * SectorSize, directorySectors * SectorSize);
        Entry(directory, 0, "Root Entry", type: 5, child: streams.Length > 0 ? 1u : Free, right: Free, start: EndOfChain, size: 0);
        for (var i = 0; i < streams.Length; i++)
        {
            Entry(directory, i + 1, streams[i].Name, type: 2, child: Free, right: i + 1 < streams.Length ? (uint)(i + 2) : Free, start: starts[i], size: padded[i].Length);
            padded[i].CopyTo(file.AsSpan((int)(starts[i] + 1) * SectorSize));
        }

        return file;
    }

    /// <summary>
    /// A minimal Word 97 document: its text as pieces (8-bit pieces as Word writes Latin text, or UTF-16), no style
    /// sheet or paragraph properties (every paragraph is body text). <paramref name="flags"/> and <paramref name="version"/>
    /// go into the file information block; <paramref name="edit"/> may damage the WordDocument stream.
    /// </summary>
    public static byte[] WordDocument((string Text, bool Compressed)[] pieces, ushort flags = 0, ushort version = 0xC1, Action<byte[]>? edit = null)
    {
        const int TextAt = 0x800;
        var word = new byte[TextAt + pieces.Sum(p => p.Text.Length * 2) + 16];
        BinaryPrimitives.WriteUInt16LittleEndian(word, 0xA5EC);
        BinaryPrimitives.WriteUInt16LittleEndian(word.AsSpan(2), version);
        BinaryPrimitives.WriteUInt16LittleEndian(word.AsSpan(0x0A), (ushort)(flags | 0x0200));
        BinaryPrimitives.WriteUInt16LittleEndian(word.AsSpan(0x20), 14);
        BinaryPrimitives.WriteUInt16LittleEndian(word.AsSpan(0x3E), 22);
        var characters = pieces.Sum(p => p.Text.Length);
        BinaryPrimitives.WriteInt32LittleEndian(word.AsSpan(0x40 + (3 * 4)), characters);
        BinaryPrimitives.WriteUInt16LittleEndian(word.AsSpan(0x98), 93);

        // The piece table: character positions, then one 8-byte descriptor per piece.
        var table = new MemoryStream();
        var plc = new byte[(4 * (pieces.Length + 1)) + (8 * pieces.Length)];
        var (cp, fc) = (0, TextAt);
        for (var i = 0; i < pieces.Length; i++)
        {
            var (text, compressed) = pieces[i];
            BinaryPrimitives.WriteInt32LittleEndian(plc.AsSpan(4 * i), cp);
            var bytes = compressed ? Encoding.Latin1.GetBytes(text) : Encoding.Unicode.GetBytes(text);
            if (compressed)
            {
                // 8-bit text holds Windows-1252: map the characters Latin-1 lacks.
                for (var j = 0; j < text.Length; j++)
                {
                    bytes[j] = text[j] switch { '\u201C' => 0x93, '\u201D' => 0x94, '\u20AC' => 0x80, '\u2013' => 0x96, var c => (byte)c };
                }
            }

            bytes.CopyTo(word, fc);
            var raw = compressed ? (uint)(fc * 2) | 0x40000000 : (uint)fc;
            BinaryPrimitives.WriteUInt32LittleEndian(plc.AsSpan((4 * (pieces.Length + 1)) + (8 * i) + 2), raw);
            cp += text.Length;
            fc += bytes.Length;
        }

        BinaryPrimitives.WriteInt32LittleEndian(plc.AsSpan(4 * pieces.Length), cp);
        table.WriteByte(0x02);
        table.Write(BitConverter.GetBytes((uint)plc.Length));
        table.Write(plc);
        var clxPair = 0x9A + (33 * 8);
        BinaryPrimitives.WriteUInt32LittleEndian(word.AsSpan(clxPair), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(word.AsSpan(clxPair + 4), (uint)table.Length);
        edit?.Invoke(word);
        return Build([("WordDocument", word), ("1Table", table.ToArray())]);
    }

    /// <summary>A BIFF record: type, 16-bit length, data.</summary>
    public static byte[] Record(ushort type, params byte[] data) =>
        [.. BitConverter.GetBytes(type), .. BitConverter.GetBytes((ushort)data.Length), .. data];

    /// <summary>A cell record's row, column and style (XF index) fields followed by <paramref name="rest"/>.</summary>
    public static byte[] Cell(ushort type, int row, int column, int style, params byte[] rest) =>
        Record(type, [.. BitConverter.GetBytes((ushort)row), .. BitConverter.GetBytes((ushort)column), .. BitConverter.GetBytes((ushort)style), .. rest]);

    /// <summary>
    /// An Excel 97 workbook stream in a compound file: BOF, <paramref name="globals"/>, one BOUNDSHEET per sheet (its
    /// offset filled in), EOF, then each sheet's BOF, records and EOF.
    /// </summary>
    public static byte[] Workbook(byte[][] globals, params (string Name, byte Type, byte[][] Records)[] sheets)
    {
        static byte[] Bof() => Record(0x0809, [0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        byte[] BoundSheet(int offset, (string Name, byte Type, byte[][] Records) sheet) =>
            Record(0x0085, [.. BitConverter.GetBytes(offset), 0, sheet.Type, (byte)sheet.Name.Length, 0, .. Encoding.Latin1.GetBytes(sheet.Name)]);

        var globalsLength = Bof().Length + globals.Sum(r => r.Length) + sheets.Sum(s => BoundSheet(0, s).Length) + 4;
        var stream = new List<byte>(Bof());
        globals.ToList().ForEach(stream.AddRange);
        var offset = globalsLength;
        foreach (var sheet in sheets)
        {
            stream.AddRange(BoundSheet(offset, sheet));
            offset += Bof().Length + sheet.Records.Sum(r => r.Length) + 4;
        }

        stream.AddRange(Record(0x000A));
        foreach (var sheet in sheets)
        {
            stream.AddRange(Bof());
            sheet.Records.ToList().ForEach(stream.AddRange);
            stream.AddRange(Record(0x000A));
        }

        return Build([("Workbook", stream.ToArray())]);
    }

    private static void Chain(uint[] fat, ref uint next, int sectors)
    {
        for (var i = 0; i < sectors; i++, next++)
        {
            fat[next] = i == sectors - 1 ? EndOfChain : next + 1;
        }
    }

    private static void Entry(Span<byte> directory, int index, string name, byte type, uint child, uint right, uint start, long size)
    {
        var entry = directory.Slice(index * 128, 128);
        Encoding.Unicode.GetBytes(name).CopyTo(entry);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[64..], (ushort)((name.Length + 1) * 2));
        entry[66] = type;
        entry[67] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[68..], Free);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[72..], right);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[76..], child);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[116..], start);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[120..], (ulong)size);
    }
}
