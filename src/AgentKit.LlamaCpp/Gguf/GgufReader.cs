using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentKit.LlamaCpp.Gguf;

/// <summary>
/// Reads and checks the metadata of a GGUF file without loading tensor data, so a file can be
/// validated before it is handed to llama.cpp: a truncated download or a corrupt header then fails
/// with a message naming the file, the byte offset and the problem instead of a native error.
/// </summary>
/// <remarks>
/// Beyond the format itself the reader enforces what llama.cpp v0.5.0 requires (versions 2 and 3,
/// no nested arrays, unique keys and tensor names, names shorter than 64 bytes, at most 4 dimensions,
/// rows a whole number of quantization blocks, tensor data contiguous and aligned) and refuses counts
/// and lengths no real model needs before allocating anything for them.
/// </remarks>
public static class GgufReader
{
    /// <summary>The longest string accepted (64 MiB); chat templates and token texts are far shorter.</summary>
    public const long MaxStringBytes = 64L * 1024 * 1024;

    /// <summary>The most elements accepted in one array (16 Mi); vocabularies have a few hundred thousand.</summary>
    public const long MaxArrayElements = 16L * 1024 * 1024;

    /// <summary>The most tensors accepted (1 Mi).</summary>
    public const long MaxTensors = 1024 * 1024;

    /// <summary>The most key/value pairs accepted (1 Mi).</summary>
    public const long MaxKeyValues = 1024 * 1024;

    /// <summary>ggml's GGML_MAX_NAME: a tensor name plus its terminating zero must fit in 64 bytes.</summary>
    private const int MaxTensorNameBytes = 63;

    private const int MaxDimensions = 4;
    private const int DefaultAlignment = 32;
    private const string AlignmentKey = "general.alignment";

    /// <summary>Reads the header, every key/value pair and every tensor description of a GGUF file, and checks them.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The file's metadata and tensor descriptions.</returns>
    /// <exception cref="GgufFormatException">The file is not valid GGUF, or describes data it does not contain.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static GgufFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        var cursor = new Cursor(stream, path);
        return ReadFile(cursor, path, keepArrays: true);
    }

    /// <summary>
    /// Checks a GGUF file as <see cref="Read"/> does, but steps over the contents of arrays (their lengths are still
    /// checked against the limits and the file) instead of keeping them: the returned metadata holds no array keys.
    /// Checking a model before loading it then allocates next to nothing, where keeping a 150,000-token vocabulary
    /// and its merges would leave ~15 MB of strings on the managed heap.
    /// </summary>
    internal static GgufFile Check(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        var cursor = new Cursor(stream, path);
        return ReadFile(cursor, path, keepArrays: false);
    }

    private static GgufFile ReadFile(Cursor c, string path, bool keepArrays)
    {
        if (c.Length < 4)
        {
            throw c.Error(0, $"not a GGUF file: it is only {c.Length} bytes long");
        }

        c.Context = "the magic";
        var magic = c.ReadUInt32();
        if (magic != 0x46554747)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, magic);
            var shown = string.Concat(b.ToArray().Select(x => x is >= 0x20 and < 0x7f ? ((char)x).ToString() : $"\\x{x:x2}"));
            throw c.Error(0, $"not a GGUF file: magic is '{shown}', expected 'GGUF'");
        }

        c.Context = "the header";
        var version = c.ReadUInt32();
        if (version == 1)
        {
            throw c.Error(4, "GGUF version 1 is not supported by llama.cpp; convert the model again with a current converter");
        }

        if (version is 0 || (version & 0xFFFF) == 0)
        {
            throw c.Error(4, $"GGUF version {version} is invalid (a big-endian file? llama.cpp reads little-endian GGUF only)");
        }

        if (version > 3)
        {
            throw c.Error(4, $"GGUF version {version} is newer than llama.cpp v0.5.0 reads (2 and 3)");
        }

        var tensorCount = c.ReadInt64();
        if (tensorCount is < 0 or > MaxTensors)
        {
            throw c.Error(8, $"tensor count {tensorCount} is outside [0, {MaxTensors}]");
        }

        var kvCount = c.ReadInt64();
        if (kvCount is < 0 or > MaxKeyValues)
        {
            throw c.Error(16, $"key/value count {kvCount} is outside [0, {MaxKeyValues}]");
        }

        var metadata = new OrderedDictionary<string, GgufValue>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var alignmentAt = 0L;
        for (long i = 0; i < kvCount; i++)
        {
            var keyAt = c.Position;
            c.Context = $"key/value {i}";
            var key = c.ReadString();
            if (key.Length == 0)
            {
                throw c.Error(keyAt, $"key/value {i} has an empty key");
            }

            if (!keys.Add(key))
            {
                throw c.Error(keyAt, $"key '{key}' appears twice");
            }

            c.Context = $"the value of key '{key}'";
            var typeAt = c.Position;
            var type = ReadValueType(c, key, typeAt);
            GgufValue value;
            if (type == GgufValueType.Array)
            {
                var elementType = ReadValueType(c, key, c.Position);
                if (elementType == GgufValueType.Array)
                {
                    throw c.Error(typeAt, $"key '{key}' is an array of arrays, which llama.cpp does not read");
                }

                var countAt = c.Position;
                var count = c.ReadUInt64();
                if (count > MaxArrayElements)
                {
                    throw c.Error(countAt, $"array '{key}' has {count} elements; at most {MaxArrayElements} are accepted");
                }

                if (!keepArrays)
                {
                    SkipArray(c, elementType, (int)count);
                    continue;
                }

                value = GgufValue.Array(ReadArray(c, elementType, (int)count));
            }
            else
            {
                value = GgufValue.Scalar(ReadScalar(c, type));
            }

            if (key == AlignmentKey)
            {
                alignmentAt = typeAt;
            }

            metadata.Add(key, value);
        }

        var alignment = DefaultAlignment;
        if (metadata.TryGetValue(AlignmentKey, out var alignmentValue))
        {
            if (alignmentValue.Value is not uint a)
            {
                throw c.Error(alignmentAt, $"'{AlignmentKey}' must be {GgufValueType.UInt32} but is {Describe(alignmentValue)}");
            }

            if (a == 0 || (a & (a - 1)) != 0 || a > 1 << 30)
            {
                throw c.Error(alignmentAt, $"'{AlignmentKey}' is {a}, which is not a power of two (up to 2^30)");
            }

            alignment = (int)a;
        }

        var infos = new List<(string Name, GgmlType Type, long[] Shape, ulong Offset, long Size, long At)>((int)Math.Min(tensorCount, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            var at = c.Position;
            c.Context = $"tensor {i}";
            var name = c.ReadString();
            if (Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
            {
                throw c.Error(at, $"tensor {i} name '{name}' is longer than {MaxTensorNameBytes} bytes");
            }

            if (!names.Add(name))
            {
                throw c.Error(at, $"tensor name '{name}' appears twice");
            }

            c.Context = $"tensor '{name}'";
            var dimsAt = c.Position;
            var dims = c.ReadUInt32();
            if (dims > MaxDimensions)
            {
                throw c.Error(dimsAt, $"tensor '{name}' has {dims} dimensions; ggml allows at most {MaxDimensions}");
            }

            var shape = new long[dims];
            long elements = 1;
            var overflow = false;
            for (var d = 0; d < dims; d++)
            {
                shape[d] = c.ReadInt64();
                if (shape[d] < 0)
                {
                    throw c.Error(dimsAt, $"tensor '{name}' dimension {d} is {shape[d]}, below zero");
                }

                overflow |= shape[d] != 0 && elements > long.MaxValue / shape[d];
                elements = overflow ? 0 : elements * shape[d];
            }

            if (overflow)
            {
                throw c.Error(dimsAt, $"tensor '{name}' shape [{string.Join(", ", shape)}] has more elements than fit in 64 bits");
            }

            var typeAt = c.Position;
            var typeId = c.ReadInt32();
            if (!GgmlTypeTraits.IsSupported(typeId))
            {
                throw c.Error(typeAt, $"tensor '{name}' has ggml type {typeId}, which llama.cpp v0.5.0 does not support");
            }

            var type = (GgmlType)typeId;
            var block = GgmlTypeTraits.BlockSize(type);
            var rowLength = dims == 0 ? 1 : shape[0];
            if (rowLength % block != 0)
            {
                throw c.Error(typeAt, $"tensor '{name}' of type {type} has rows of {rowLength} elements, not a multiple of its block size {block}");
            }

            var blocks = elements / block;
            if (blocks > long.MaxValue / GgmlTypeTraits.TypeSize(type))
            {
                throw c.Error(typeAt, $"tensor '{name}' of type {type} is larger than 2^63 bytes");
            }

            var offset = c.ReadUInt64();
            infos.Add((name, type, shape, offset, blocks * GgmlTypeTraits.TypeSize(type), at));
        }

        var dataOffset = tensorCount > 0 ? AlignUp(c.Position, alignment) : c.Position;
        var tensors = new GgufTensorInfo[infos.Count];
        long expected = 0;
        for (var i = 0; i < infos.Count; i++)
        {
            var t = infos[i];
            // gguf.cpp requires each tensor to start exactly where the previous one's padded data ends.
            if (t.Offset != (ulong)expected)
            {
                throw c.Error(t.At, $"tensor '{t.Name}' has data offset {t.Offset}, but llama.cpp expects {expected} (tensor data must be contiguous, each padded to {alignment} bytes)");
            }

            var start = dataOffset + expected;
            if (t.Size > c.Length - start)
            {
                throw c.Error(t.At, $"truncated: tensor '{t.Name}' data ends at {(decimal)start + t.Size} but the file is {c.Length} bytes");
            }

            tensors[i] = new GgufTensorInfo(t.Name, t.Type, t.Shape, start, t.Size);
            expected += AlignUp(t.Size, alignment);
        }

        return new GgufFile(path, (int)version, c.Length, alignment, dataOffset, metadata, tensors);
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static string Describe(GgufValue value) => value.ElementType is { } e ? $"an array of {e}" : value.Type.ToString();

    private static GgufValueType ReadValueType(Cursor c, string key, long at)
    {
        var raw = c.ReadInt32();
        if (raw is < 0 or > (int)GgufValueType.Float64)
        {
            throw c.Error(at, $"key '{key}' has value type {raw}, which is not a GGUF type (0-12)");
        }

        return (GgufValueType)raw;
    }

    private static object ReadScalar(Cursor c, GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => c.ReadBytes(1)[0],
        GgufValueType.Int8 => (sbyte)c.ReadBytes(1)[0],
        GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(c.ReadBytes(2)),
        GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(c.ReadBytes(2)),
        GgufValueType.UInt32 => c.ReadUInt32(),
        GgufValueType.Int32 => c.ReadInt32(),
        GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(c.ReadBytes(4)),
        GgufValueType.Bool => c.ReadBytes(1)[0] != 0,
        GgufValueType.String => c.ReadString(),
        GgufValueType.UInt64 => c.ReadUInt64(),
        GgufValueType.Int64 => c.ReadInt64(),
        GgufValueType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(c.ReadBytes(8)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a scalar GGUF type"),
    };

    private static Array ReadArray(Cursor c, GgufValueType type, int count) => type switch
    {
        GgufValueType.UInt8 => c.ReadPrimitiveArray<byte>(count),
        GgufValueType.Int8 => c.ReadPrimitiveArray<sbyte>(count),
        GgufValueType.UInt16 => c.ReadPrimitiveArray<ushort>(count),
        GgufValueType.Int16 => c.ReadPrimitiveArray<short>(count),
        GgufValueType.UInt32 => c.ReadPrimitiveArray<uint>(count),
        GgufValueType.Int32 => c.ReadPrimitiveArray<int>(count),
        GgufValueType.Float32 => c.ReadPrimitiveArray<float>(count),
        GgufValueType.Bool => Array.ConvertAll(c.ReadPrimitiveArray<byte>(count), b => b != 0),
        GgufValueType.String => c.ReadStringArray(count),
        GgufValueType.UInt64 => c.ReadPrimitiveArray<ulong>(count),
        GgufValueType.Int64 => c.ReadPrimitiveArray<long>(count),
        GgufValueType.Float64 => c.ReadPrimitiveArray<double>(count),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an array element type"),
    };

    private static void SkipArray(Cursor c, GgufValueType type, int count)
    {
        if (type == GgufValueType.String)
        {
            c.SkipStringArray(count);
        }
        else
        {
            c.Skip((long)count * ElementSize(type));
        }
    }

    private static int ElementSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an array element type"),
    };

    /// <summary>Sequential little-endian reads that report truncation with the file, offset and what was being read.</summary>
    private sealed class Cursor(Stream stream, string path)
    {
        private readonly byte[] scratch = new byte[8];

        public long Length { get; } = stream.Length;

        public long Position { get; private set; }

        public string Context { get; set; } = string.Empty;

        public GgufFormatException Error(long offset, string problem) => new(path, offset, problem);

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            Fill(scratch.AsSpan(0, count));
            return scratch.AsSpan(0, count);
        }

        public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));

        public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

        public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

        public string ReadString()
        {
            var length = ReadStringLength();
            Require((long)length);
            if (length == 0)
            {
                return string.Empty;
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                Fill(buffer.AsSpan(0, (int)length));
                return Encoding.UTF8.GetString(buffer, 0, (int)length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>Steps over <paramref name="count"/> bytes, which the file must hold.</summary>
        public void Skip(long count)
        {
            Require(count);
            stream.Seek(count, SeekOrigin.Current);
            Position += count;
        }

        /// <summary>Steps over an array of strings, checking each length as <see cref="ReadString"/> does.</summary>
        public void SkipStringArray(int count)
        {
            Require(count * 8L);
            for (var i = 0; i < count; i++)
            {
                Skip((long)ReadStringLength());
            }
        }

        /// <summary>A string's length prefix, refused beyond <see cref="MaxStringBytes"/> before anything is allocated or skipped.</summary>
        private ulong ReadStringLength()
        {
            var at = Position;
            var length = ReadUInt64();
            if (length > MaxStringBytes)
            {
                throw Error(at, $"a string in {Context} claims {length} bytes; at most {MaxStringBytes} are accepted");
            }

            return length;
        }

        public string[] ReadStringArray(int count)
        {
            // Each string has at least its 8-byte length: refuse counts the rest of the file cannot hold before allocating.
            Require(count * 8L);
            var result = new string[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = ReadString();
            }

            return result;
        }

        public T[] ReadPrimitiveArray<T>(int count)
            where T : unmanaged
        {
            Require((long)count * Marshal.SizeOf<T>());
            var result = new T[count];
            Fill(MemoryMarshal.AsBytes(result.AsSpan()));
            if (!BitConverter.IsLittleEndian && Marshal.SizeOf<T>() > 1)
            {
                throw new PlatformNotSupportedException("GGUF files are little-endian; reading them on a big-endian machine is not supported.");
            }

            return result;
        }

        private void Require(long count)
        {
            if (count > Length - Position)
            {
                throw Error(Position, $"truncated: {Context} needs {count} bytes but the file is {Length} bytes");
            }
        }

        private void Fill(Span<byte> destination)
        {
            Require(destination.Length);
            stream.ReadExactly(destination);
            Position += destination.Length;
        }
    }
}
