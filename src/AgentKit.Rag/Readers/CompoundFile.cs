using System.Buffers.Binary;
using System.Text;

namespace AgentKit.Rag.Readers;

/// <summary>
/// An OLE compound file (MS-CFB, the container of Word 97–2003, Excel 97–2003 and PowerPoint 97–2003 files) opened for
/// reading its top-level streams. Every sector chain is followed with a bound on its length (a loop in the allocation
/// table is an error, not a hang), every offset is checked against the file, and a stream is never larger than the
/// file that holds it; damage raises <see cref="DocumentReadFailure.Corrupt"/> naming the file and what is wrong.
/// </summary>
internal sealed class CompoundFile
{
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint LastRegularSector = 0xFFFFFFFA;
    private const int EntrySize = 128;
    private const int HeaderDifatEntries = 109;

    /// <summary>The most directory entries read (a Word or Excel file has a few dozen).</summary>
    private const int MaxEntries = 100_000;

    private static readonly byte[] Magic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private readonly ReadOnlyMemory<byte> _content;
    private readonly string _sourcePath;
    private readonly string _format;
    private readonly int _sectorSize;
    private readonly int _miniSectorSize;
    private readonly uint _miniCutoff;
    private readonly long _sectorCount;
    private readonly uint[] _fat;
    private uint[]? _miniFat;
    private byte[]? _miniStream;
    private readonly (uint Start, long Size) _root;
    private readonly uint _firstMiniFatSector;
    private readonly Dictionary<string, (uint Start, long Size)> _streams = new(StringComparer.OrdinalIgnoreCase);

    private CompoundFile(string sourcePath, ReadOnlyMemory<byte> content, string format)
    {
        _sourcePath = sourcePath;
        _content = content;
        _format = format;
        var header = content.Span;
        if (header.Length < 512 || !IsCompoundFile(header))
        {
            throw Corrupt($"it is not {format} (no compound file header)");
        }

        var sectorShift = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        var miniShift = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        if (sectorShift is not (9 or 12) || miniShift != 6)
        {
            throw Corrupt($"its compound file header gives sector sizes 2^{sectorShift} and 2^{miniShift}");
        }

        _sectorSize = 1 << sectorShift;
        _miniSectorSize = 1 << miniShift;
        _sectorCount = Math.Max(0, (content.Length - _sectorSize + _sectorSize - 1) / _sectorSize);
        _miniCutoff = BinaryPrimitives.ReadUInt32LittleEndian(header[56..]);
        _firstMiniFatSector = BinaryPrimitives.ReadUInt32LittleEndian(header[60..]);
        _fat = ReadFat(header);
        var directory = ReadChain(BinaryPrimitives.ReadUInt32LittleEndian(header[48..]), long.MaxValue, "the directory");
        var entries = Math.Min(directory.Length / EntrySize, MaxEntries);
        if (entries == 0)
        {
            throw Corrupt("its directory is empty");
        }

        _root = Entry(directory, 0).Stream;
        ReadTopLevel(directory, entries, sectorShift == 9);
    }

    /// <summary>Whether the bytes start with the compound file signature.</summary>
    public static bool IsCompoundFile(ReadOnlySpan<byte> content) => content.StartsWith(Magic);

    /// <summary>Opens a compound file.</summary>
    /// <param name="sourcePath">The file, for errors.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="format">What the file should be, for errors ("a Word 97–2003 document").</param>
    /// <exception cref="DocumentReadException">The file is not a compound file, or its structure is damaged.</exception>
    public static CompoundFile Open(string sourcePath, ReadOnlyMemory<byte> content, string format) => new(sourcePath, content, format);

    /// <summary>Whether a top-level stream exists (names are matched without case).</summary>
    public bool Contains(string name) => _streams.ContainsKey(name);

    /// <summary>A top-level stream the format requires; its absence means another kind of file under the extension.</summary>
    /// <param name="name">The stream's name.</param>
    /// <param name="extension">The format's extension, for the message (<c>.doc</c>).</param>
    /// <exception cref="DocumentReadException">There is no such stream, or its sectors are damaged.</exception>
    public byte[] ReadRequired(string name, string extension) =>
        Read(name) ?? throw new DocumentReadException(
            _sourcePath, DocumentReadFailure.Corrupt, $"'{_sourcePath}' is not {_format}: it has no '{name}' stream (another Office file saved as {extension}?).");

    /// <summary>A top-level stream's bytes, or <see langword="null"/> when there is none.</summary>
    /// <exception cref="DocumentReadException">The stream's sectors are damaged.</exception>
    public byte[]? Read(string name)
    {
        if (!_streams.TryGetValue(name, out var stream))
        {
            return null;
        }

        if (stream.Size >= _miniCutoff)
        {
            return ReadChain(stream.Start, stream.Size, $"stream '{name}'");
        }

        _miniFat ??= ToUInts(ReadChain(_firstMiniFatSector, long.MaxValue, "the mini allocation table"));
        _miniStream ??= ReadChain(_root.Start, _root.Size, "the mini stream");
        var bytes = new byte[stream.Size];
        var sector = stream.Start;
        for (var written = 0L; written < stream.Size; sector = _miniFat[sector])
        {
            if (sector >= _miniFat.Length || (long)(sector + 1) * _miniSectorSize > _miniStream.Length)
            {
                throw Corrupt($"stream '{name}' runs past the mini stream");
            }

            var count = (int)Math.Min(_miniSectorSize, stream.Size - written);
            _miniStream.AsSpan((int)(sector * _miniSectorSize), count).CopyTo(bytes.AsSpan((int)written));
            written += count;
            if (written > _miniStream.Length)
            {
                throw Corrupt($"stream '{name}' loops in the mini allocation table");
            }
        }

        return bytes;
    }

    /// <summary>The title (PIDSI_TITLE) of the file's summary information, or null when it has none or it is damaged.</summary>
    public string? SummaryTitle()
    {
        try
        {
            var stream = Read("\u0005SummaryInformation");
            if (stream is null || stream.Length < 48)
            {
                return null;
            }

            var section = (int)BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(44));
            var count = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(section + 4));
            var codePage = 1252;
            string? title = null;
            for (var i = 0; i < Math.Min(count, 1000); i++)
            {
                var id = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(section + 8 + (8 * i)));
                var at = section + (int)BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(section + 12 + (8 * i)));
                var type = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(at));
                if (id == 1 && type == 2)
                {
                    codePage = BinaryPrimitives.ReadUInt16LittleEndian(stream.AsSpan(at + 4));
                }
                else if (id == 2 && type == 0x1E)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(at + 4));
                    title = codePage == 1200
                        ? Encoding.Unicode.GetString(stream, at + 8, length & ~1)
                        : Decode(stream.AsSpan(at + 8, length), codePage);
                }
            }

            return Whitespace.Collapse((title ?? "").Replace("\0", "", StringComparison.Ordinal)) is { Length: > 0 } found ? found : null;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or DocumentReadException)
        {
            // A damaged property set names nothing; the document's text is still read.
            return null;
        }
    }

    /// <summary>8-bit text: UTF-8 when the code page says so, else Windows-1252 (Latin-1 for bytes it does not map).</summary>
    private static string Decode(ReadOnlySpan<byte> bytes, int codePage) =>
        codePage == 65001 ? Encoding.UTF8.GetString(bytes) : TextDecoding.Windows1252(bytes);

    private DocumentReadException Corrupt(string what) =>
        new(_sourcePath, DocumentReadFailure.Corrupt, $"'{_sourcePath}' cannot be read as {_format}: {what}.");

    private uint[] ReadFat(ReadOnlySpan<byte> header)
    {
        var fatSectors = BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
        if (fatSectors > _sectorCount)
        {
            throw Corrupt($"its header lists {fatSectors} allocation table sectors in a file of {_sectorCount}");
        }

        var locations = new List<uint>((int)fatSectors);
        for (var i = 0; i < HeaderDifatEntries && locations.Count < fatSectors; i++)
        {
            locations.Add(BinaryPrimitives.ReadUInt32LittleEndian(header[(76 + (4 * i))..]));
        }

        var difat = BinaryPrimitives.ReadUInt32LittleEndian(header[68..]);
        for (var hops = 0L; locations.Count < fatSectors; hops++)
        {
            if (difat > LastRegularSector || hops > _sectorCount)
            {
                throw Corrupt("its allocation table list (DIFAT) ends early or loops");
            }

            var sector = Sector(difat, "the allocation table list");
            var perSector = (_sectorSize / 4) - 1;
            for (var i = 0; i < perSector && locations.Count < fatSectors; i++)
            {
                locations.Add(BinaryPrimitives.ReadUInt32LittleEndian(sector[(4 * i)..]));
            }

            difat = BinaryPrimitives.ReadUInt32LittleEndian(sector[(4 * perSector)..]);
        }

        var fat = new uint[locations.Count * (_sectorSize / 4)];
        for (var i = 0; i < locations.Count; i++)
        {
            var sector = Sector(locations[i], "the allocation table");
            for (var j = 0; j < _sectorSize / 4; j++)
            {
                fat[(i * (_sectorSize / 4)) + j] = BinaryPrimitives.ReadUInt32LittleEndian(sector[(4 * j)..]);
            }
        }

        return fat;
    }

    /// <summary>A regular sector's bytes (a last sector cut short by the file's end is padded with zeros).</summary>
    private ReadOnlySpan<byte> Sector(uint sector, string what)
    {
        var offset = ((long)sector + 1) * _sectorSize;
        if (sector > LastRegularSector || offset >= _content.Length)
        {
            throw Corrupt($"{what} points to sector {sector}, past the end of the file");
        }

        var available = (int)Math.Min(_sectorSize, _content.Length - offset);
        if (available == _sectorSize)
        {
            return _content.Span.Slice((int)offset, _sectorSize);
        }

        var padded = new byte[_sectorSize];
        _content.Span.Slice((int)offset, available).CopyTo(padded);
        return padded;
    }

    /// <summary>The bytes of a sector chain, at most <paramref name="size"/> of them (the whole chain when unbounded).</summary>
    private byte[] ReadChain(uint start, long size, string what)
    {
        if (size > _content.Length && size != long.MaxValue)
        {
            throw Corrupt($"{what} claims {size:N0} bytes, more than the file holds");
        }

        using var buffer = new MemoryStream();
        var sector = start;
        for (var hops = 0L; sector != EndOfChain && buffer.Length < size; hops++)
        {
            if (hops > _sectorCount || sector >= _fat.Length)
            {
                throw Corrupt($"{what} runs past the allocation table or loops");
            }

            var bytes = Sector(sector, what);
            buffer.Write(bytes[..(int)Math.Min(_sectorSize, size - buffer.Length)]);
            sector = _fat[sector];
        }

        if (size != long.MaxValue && buffer.Length < size)
        {
            throw Corrupt($"{what} ends after {buffer.Length:N0} of its {size:N0} bytes");
        }

        return buffer.ToArray();
    }

    private static uint[] ToUInts(byte[] bytes)
    {
        var values = new uint[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4 * i));
        }

        return values;
    }

    private static (string Name, byte Type, uint Left, uint Right, uint Child, (uint Start, long Size) Stream) Entry(byte[] directory, long index)
    {
        var entry = directory.AsSpan((int)(index * EntrySize), EntrySize);
        var nameBytes = Math.Clamp(BinaryPrimitives.ReadUInt16LittleEndian(entry[64..]) - 2, 0, 62) & ~1;
        return (
            Encoding.Unicode.GetString(entry[..nameBytes]),
            entry[66],
            BinaryPrimitives.ReadUInt32LittleEndian(entry[68..]),
            BinaryPrimitives.ReadUInt32LittleEndian(entry[72..]),
            BinaryPrimitives.ReadUInt32LittleEndian(entry[76..]),
            (BinaryPrimitives.ReadUInt32LittleEndian(entry[116..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[120..])));
    }

    /// <summary>Collects the root storage's streams: its child's tree of siblings, each entry visited once.</summary>
    private void ReadTopLevel(byte[] directory, long entries, bool version3)
    {
        var visited = new bool[entries];
        var pending = new Stack<uint>();
        pending.Push(Entry(directory, 0).Child);
        while (pending.TryPop(out var index))
        {
            if (index >= entries || visited[index])
            {
                continue;
            }

            visited[index] = true;
            var entry = Entry(directory, index);
            pending.Push(entry.Left);
            pending.Push(entry.Right);
            if (entry.Type == 2)
            {
                // Version 3 files keep only the low 32 bits of a size (writers may leave junk above them).
                var size = version3 ? entry.Stream.Size & 0xFFFFFFFF : entry.Stream.Size;
                if (size > _content.Length)
                {
                    throw Corrupt($"stream '{entry.Name}' claims {size:N0} bytes, more than the file holds");
                }

                _streams.TryAdd(entry.Name, (entry.Stream.Start, size));
            }
        }
    }
}
