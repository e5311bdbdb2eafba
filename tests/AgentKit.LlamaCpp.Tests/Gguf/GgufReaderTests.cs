using System.Buffers.Binary;
using System.Text;
using AgentKit.LlamaCpp.Gguf;
using AgentKit.Testing;

namespace AgentKit.LlamaCpp.Tests.Gguf;

public sealed class GgufReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentkit-gguf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> VocabFiles =>
        new(Directory.EnumerateFiles(LlamaSourceAssets.ModelsDir, "ggml-vocab-*.gguf").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(VocabFiles))]
    public void Read_EveryLlamaCppVocabulary_ReadsTokenizer(string fileName)
    {
        var file = GgufReader.Read(Path.Combine(LlamaSourceAssets.ModelsDir, fileName));

        Assert.InRange(file.Version, 2, 3);
        Assert.NotNull(file.Architecture);
        Assert.True(GgufArchitectures.Known.Contains(file.Architecture!), $"{fileName}: architecture '{file.Architecture}' should be known");
        var tokens = file.Metadata["tokenizer.ggml.tokens"];
        Assert.Equal(GgufValueType.Array, tokens.Type);
        Assert.Equal(GgufValueType.String, tokens.ElementType);
        Assert.True(tokens.Count > 1000);
        Assert.IsType<string>(file.Metadata["tokenizer.ggml.model"].Value);
    }

    [Theory]
    [MemberData(nameof(VocabFiles))]
    public void Check_EveryLlamaCppVocabulary_SameAsReadWithoutArrays(string fileName)
    {
        var path = Path.Combine(LlamaSourceAssets.ModelsDir, fileName);
        var read = GgufReader.Read(path);

        var check = GgufReader.Check(path);

        Assert.Equal(read.Metadata.Where(p => p.Value.Type != GgufValueType.Array).Select(p => (p.Key, p.Value.Value)), check.Metadata.Select(p => (p.Key, p.Value.Value)));
        Assert.Equal(read.DataOffset, check.DataOffset);
        Assert.Equal(read.Tensors.Select(t => (t.Name, t.Offset, t.Size)), check.Tensors.Select(t => (t.Name, t.Offset, t.Size)));
    }

    [Fact]
    public void Check_LargeVocabulary_AllocatesAFractionOfRead()
    {
        // Loading a model checks its file first; keeping 150,000 token texts and merges would leave them on the heap.
        var path = Path.Combine(LlamaSourceAssets.ModelsDir, "ggml-vocab-qwen2.gguf");
        GgufReader.Check(path);
        var before = GC.GetAllocatedBytesForCurrentThread();
        GgufReader.Read(path);
        var read = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        GgufReader.Check(path);
        var check = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(read > 8_000_000, $"Read allocated {read} bytes");
        Assert.True(check < 1_000_000, $"Check allocated {check} bytes (Read: {read})");
    }

    [Fact]
    public void Check_ArrayProblems_SameErrorsAsRead()
    {
        var stringArray = new List<byte>();
        stringArray.AddRange(BitConverter.GetBytes(8));
        stringArray.AddRange(BitConverter.GetBytes(2L));
        stringArray.AddRange(BitConverter.GetBytes(3L));
        stringArray.AddRange("abc"u8.ToArray());
        stringArray.AddRange(BitConverter.GetBytes(ulong.MaxValue / 4));
        var duplicate = Header(0, 2);
        for (var i = 0; i < 2; i++)
        {
            AddString(duplicate, "dup");
            duplicate.AddRange(BitConverter.GetBytes(9));
            duplicate.AddRange(BitConverter.GetBytes(4));
            duplicate.AddRange(BitConverter.GetBytes(1L));
            duplicate.AddRange(BitConverter.GetBytes(1u));
        }

        byte[][] files =
        [
            KeyValue("k", 9, [.. BitConverter.GetBytes(8), .. BitConverter.GetBytes(1000L)]),
            KeyValue("k", 9, [.. BitConverter.GetBytes(5), .. BitConverter.GetBytes(1L << 40)]),
            KeyValue("k", 9, [.. BitConverter.GetBytes(6), .. BitConverter.GetBytes(4L), .. new byte[12]]),
            KeyValue("k", 9, [.. stringArray]),
            [.. duplicate],
        ];
        for (var i = 0; i < files.Length; i++)
        {
            var path = Write($"arr{i}.gguf", files[i]);
            var read = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));
            var check = Assert.Throws<GgufFormatException>(() => GgufReader.Check(path));
            Assert.Equal(read.Message, check.Message);
        }
    }

    [Fact]
    public void WriteThenRead_EveryValueType_RoundTrips()
    {
        var values = new Dictionary<string, object>
        {
            ["u8"] = (byte)200, ["i8"] = (sbyte)-100, ["u16"] = (ushort)60000, ["i16"] = (short)-30000,
            ["u32"] = 4_000_000_000u, ["i32"] = -2_000_000_000, ["f32"] = 1.5f, ["bool"] = true,
            ["str"] = "héllo ✓", ["u64"] = ulong.MaxValue, ["i64"] = long.MinValue, ["f64"] = Math.PI,
            ["arr.u8"] = new byte[] { 1, 2 }, ["arr.i8"] = new sbyte[] { -1 }, ["arr.u16"] = new ushort[] { 7 },
            ["arr.i16"] = new short[] { -7 }, ["arr.u32"] = new uint[] { 9 }, ["arr.i32"] = new[] { -9, 9 },
            ["arr.f32"] = new[] { 0.25f }, ["arr.bool"] = new[] { true, false }, ["arr.str"] = new[] { "a", "", "ü" },
            ["arr.u64"] = new ulong[] { 1 }, ["arr.i64"] = new long[] { -1 }, ["arr.f64"] = new[] { 2.5 },
            ["arr.empty"] = Array.Empty<int>(),
        };
        var writer = new GgufWriter(alignment: 64);
        foreach (var (k, v) in values)
        {
            writer.Set(k, v);
        }

        writer.AddTensor("a", GgmlType.F32, [3, 2], (first, d) => { for (var i = 0; i < d.Length; i++) { d[i] = first + i; } });
        writer.AddTensor("b", GgmlType.F16, [5], (_, d) => d.Fill(0.5f));
        writer.AddRawTensor("q", GgmlType.Q8_0, [64], new byte[68]);
        var path = Path.Combine(_dir, "all.gguf");
        writer.Write(path);

        var file = GgufReader.Read(path);

        Assert.Equal(64, file.Alignment);
        foreach (var (k, v) in values)
        {
            Assert.Equal(v, file.Metadata[k].Value);
        }

        Assert.Equal(GgufValueType.Float64, file.Metadata["f64"].Type);
        Assert.Equal(-2_000_000_000, file.Metadata["i32"].AsInt64());
        Assert.Equal(["a", "b", "q"], file.Tensors.Select(t => t.Name));
        Assert.Equal([3L, 2L], file.Tensors[0].Shape);
        Assert.Equal(24, file.Tensors[0].Size);
        Assert.Equal(10, file.Tensors[1].Size);
        Assert.Equal(68, file.Tensors[2].Size);
        Assert.All(file.Tensors, t => Assert.Equal(0, t.Offset % 64));
        Assert.Equal(file.DataOffset, file.Tensors[0].Offset);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)file.Tensors[0].Offset + 20)));
        Assert.Equal((Half)0.5f, BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan((int)file.Tensors[1].Offset)));
        Assert.Equal(file.Tensors[2].Offset + 128, file.FileSize);
    }

    [Fact]
    public void Read_NotGguf_NamesTheMagic()
    {
        var path = Write("bad.gguf", Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip"));

        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(0, ex.Offset);
        Assert.Contains("not a GGUF file: magic is 'PK\\x03\\x04'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u, "version 1 is not supported")]
    [InlineData(4u, "version 4 is newer")]
    [InlineData(0x03000000u, "big-endian")]
    public void Read_UnsupportedVersion_Throws(uint version, string expected)
    {
        var bytes = ValidFile();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), version);

        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("v.gguf", bytes)));

        Assert.Equal(4, ex.Offset);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedTensorData_NamesTensorAndSizes()
    {
        var bytes = ValidFile();
        var path = Write("trunc.gguf", bytes[..^40]);

        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));

        var full = GgufReader.Read(Write("full.gguf", bytes));
        var last = full.Tensors[^1];
        Assert.Contains($"truncated: tensor 'blk.3.ffn_up.weight' data ends at {last.Offset + last.Size} but the file is {bytes.Length - 40} bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedInMetadata_SaysWhatWasBeingRead()
    {
        var bytes = ValidFile();
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("t.gguf", bytes[..60])));

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("general.architecture", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AbsurdStringLength_RefusedBeforeAllocating()
    {
        var bytes = Header(tensors: 0, kvs: 1);
        bytes.AddRange(BitConverter.GetBytes(ulong.MaxValue / 2));
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("s.gguf", [.. bytes])));

        Assert.Equal(24, ex.Offset);
        Assert.Contains($"at most {GgufReader.MaxStringBytes} are accepted", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2_000_000L, 0L, "tensor count 2000000")]
    [InlineData(0L, -1L, "key/value count -1")]
    public void Read_AbsurdCounts_Refused(long tensors, long kvs, string expected)
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("c.gguf", [.. Header(tensors, kvs)])));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeArrayCount_Refused()
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("a.gguf", KeyValue("k", 9, [.. BitConverter.GetBytes(5), .. BitConverter.GetBytes(1L << 40)]))));

        Assert.Contains("array 'k' has 1099511627776 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ArrayCountBeyondFile_IsTruncation()
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("a.gguf", KeyValue("k", 9, [.. BitConverter.GetBytes(8), .. BitConverter.GetBytes(1000L)]))));

        Assert.Contains("truncated: the value of key 'k' needs 8000 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NestedArray_Refused()
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("n.gguf", KeyValue("k", 9, [.. BitConverter.GetBytes(9), .. BitConverter.GetBytes(0L)]))));

        Assert.Contains("array of arrays", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownValueType_Refused()
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("u.gguf", KeyValue("k", 13, []))));

        Assert.Contains("key 'k' has value type 13", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateKey_Refused()
    {
        var bytes = Header(0, 2);
        for (var i = 0; i < 2; i++)
        {
            AddString(bytes, "dup");
            bytes.AddRange(BitConverter.GetBytes(4));
            bytes.AddRange(BitConverter.GetBytes(1u));
        }

        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("d.gguf", [.. bytes])));

        Assert.Contains("key 'dup' appears twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AlignmentOfWrongTypeOrNotPowerOfTwo_Refused()
    {
        var wrongType = new GgufWriter().Set("general.alignment", 64);
        var notPower = new GgufWriter().Set("general.alignment", 48u);

        Assert.Contains("must be UInt32 but is Int32", ReadError(wrongType), StringComparison.Ordinal);
        Assert.Contains("48, which is not a power of two", ReadError(notPower), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TensorProblems_Refused()
    {
        Assert.Contains("rows of 33 elements, not a multiple of its block size 32",
            ReadError(new GgufWriter().AddRawTensor("q", GgmlType.Q8_0, [33], new byte[34])), StringComparison.Ordinal);
        Assert.Contains("longer than 63 bytes",
            ReadError(new GgufWriter().AddTensor(new string('x', 64), GgmlType.F32, [1], (_, d) => d.Clear())), StringComparison.Ordinal);
        Assert.Contains("tensor name 't' appears twice",
            ReadError(new GgufWriter().AddTensor("t", GgmlType.F32, [1], (_, d) => d.Clear()).AddTensor("t", GgmlType.F32, [1], (_, d) => d.Clear())), StringComparison.Ordinal);
        Assert.Contains("ggml type 4, which llama.cpp v0.5.0 does not support",
            ReadError(new GgufWriter().AddRawTensor("t", (GgmlType)4, [32], new byte[32])), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TooManyDimensionsOrNegative_Refused()
    {
        Assert.Contains("has 5 dimensions", ReadError(new GgufWriter().AddRawTensor("t", GgmlType.F32, [1, 1, 1, 1, 1], new byte[4])), StringComparison.Ordinal);
        Assert.Contains("dimension 1 is -2", ReadError(new GgufWriter().AddRawTensor("t", GgmlType.F32, [1, -2], new byte[4])), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonContiguousTensorOffset_Refused()
    {
        var bytes = new GgufWriter().AddTensor("t", GgmlType.F32, [8], (_, d) => d.Clear()).AddTensor("u", GgmlType.F32, [8], (_, d) => d.Clear());
        var path = Path.Combine(_dir, "o.gguf");
        bytes.Write(path);
        var raw = File.ReadAllBytes(path);
        var file = GgufReader.Read(path);
        // The second tensor info ends with its 8-byte offset, right before the padding that precedes the data.
        var infoEnd = raw.AsSpan(0, (int)file.DataOffset).LastIndexOf(BitConverter.GetBytes(32UL));
        BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(infoEnd), 64UL);

        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("o2.gguf", raw)));

        Assert.Contains("tensor 'u' has data offset 64, but llama.cpp expects 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_SaysSo()
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufReader.Read(Write("e.gguf", [])));

        Assert.Contains("only 0 bytes long", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GgufValue_WrongAccessor_ThrowsNamingTypes()
    {
        var ex = Assert.Throws<InvalidCastException>(() => GgufValue.Scalar(3u).AsString());

        Assert.Contains("UInt32, not a string", ex.Message, StringComparison.Ordinal);
    }

    private string ReadError(GgufWriter writer)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.gguf");
        writer.Write(path);
        return Assert.Throws<GgufFormatException>(() => GgufReader.Read(path)).Message;
    }

    private byte[] ValidFile()
    {
        var writer = new GgufWriter().Set("general.architecture", "llama");
        for (var i = 0; i < 4; i++)
        {
            writer.AddTensor($"blk.{i}.ffn_up.weight", GgmlType.F16, [16, 4], (_, d) => d.Fill(1f));
        }

        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.gguf");
        writer.Write(path);
        return File.ReadAllBytes(path);
    }

    private static List<byte> Header(long tensors, long kvs)
    {
        var bytes = new List<byte>("GGUF"u8.ToArray());
        bytes.AddRange(BitConverter.GetBytes(3u));
        bytes.AddRange(BitConverter.GetBytes(tensors));
        bytes.AddRange(BitConverter.GetBytes(kvs));
        return bytes;
    }

    private static byte[] KeyValue(string key, int type, byte[] rest)
    {
        var bytes = Header(0, 1);
        AddString(bytes, key);
        bytes.AddRange(BitConverter.GetBytes(type));
        bytes.AddRange(rest);
        return [.. bytes];
    }

    private static void AddString(List<byte> bytes, string s)
    {
        bytes.AddRange(BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(s)));
        bytes.AddRange(Encoding.UTF8.GetBytes(s));
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
