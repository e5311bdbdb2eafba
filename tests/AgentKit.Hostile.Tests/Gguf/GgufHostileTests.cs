using System.Buffers.Binary;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Gguf;
using AgentKit.Testing;

namespace AgentKit.Hostile.Tests.Gguf;

/// <summary>
/// Malformed and truncated GGUF files: the managed reader (and the model-file validator in front of llama.cpp)
/// refuses each with a <see cref="GgufFormatException"/> naming the file, the byte offset and the problem, before
/// any native code or any allocation sized by the file's own claims.
/// </summary>
public sealed class GgufHostileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("agentkit-hostile-gguf-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>
    /// A tiny file with a known layout: key "general.architecture" = "llama" (type at 52, length at 56), key "x.arr"
    /// = uint32[3] (element type at 86, count at 90), tensor "t" F32 [32, 2] (name length at 110, dimension count
    /// at 119, dimensions at 123 and 131, type at 139, data offset at 143), data at 160.
    /// </summary>
    private static byte[] Tiny()
    {
        var path = Path.Combine(Path.GetTempPath(), $"agentkit-hostile-tiny-{Guid.NewGuid():N}.gguf");
        try
        {
            new GgufWriter()
                .Set("general.architecture", "llama")
                .Set("x.arr", new uint[] { 1, 2, 3 })
                .AddTensor("t", GgmlType.F32, [32, 2], (_, span) => span.Fill(0.5f))
                .Write(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private string Save(byte[] bytes, string name)
    {
        var path = Path.Combine(_dir.FullName, name + ".gguf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void TinyLayout_IsWhatThePatchesAssume()
    {
        var file = GgufReader.Read(Save(Tiny(), "tiny"));

        Assert.Equal("llama", file.Architecture);
        var tensor = Assert.Single(file.Tensors);
        Assert.Equal(160, tensor.Offset);
        Assert.Equal(416, file.FileSize);
    }

    public static TheoryData<string, int, ulong, int, string, long> HeaderFlips => new()
    {
        // name, offset, value, width in bytes, expected problem text, expected reported offset
        { "magic", 0, 0x58554747, 4, "not a GGUF file: magic is 'GGUX'", 0 },
        { "version 1", 4, 1, 4, "GGUF version 1 is not supported", 4 },
        { "version 4", 4, 4, 4, "GGUF version 4 is newer", 4 },
        { "big-endian version", 4, 0x03000000, 4, "big-endian", 4 },
        { "negative tensor count", 8, ulong.MaxValue, 8, "tensor count -1 is outside", 8 },
        { "absurd tensor count", 8, 1UL << 40, 8, "tensor count 1099511627776 is outside", 8 },
        { "absurd key/value count", 16, 1UL << 40, 8, "key/value count 1099511627776 is outside", 16 },
        { "absurd key length", 24, 1UL << 62, 8, "claims 4611686018427387904 bytes", 24 },
        { "empty key", 24, 0, 8, "has an empty key", 24 },
        { "unknown value type", 52, 13, 4, "value type 13, which is not a GGUF type", 52 },
        { "absurd string length", 56, 1UL << 40, 8, "claims 1099511627776 bytes", 56 },
        { "string longer than the file", 56, 1UL << 20, 8, "truncated", 64 },
        { "array of arrays", 86, 9, 4, "array of arrays", 82 },
        { "absurd array count", 90, 1UL << 40, 8, "has 1099511627776 elements", 90 },
        { "array count the file cannot hold", 90, 1UL << 23, 8, "truncated", 98 },
        { "absurd tensor name length", 110, 1UL << 62, 8, "claims 4611686018427387904 bytes", 110 },
        { "five dimensions", 119, 5, 4, "has 5 dimensions; ggml allows at most 4", 119 },
        { "negative dimension", 123, ulong.MaxValue, 8, "dimension 0 is -1, below zero", 119 },
        { "huge dimension", 131, 1UL << 40, 8, "data ends at", 110 },
        { "unknown ggml type", 139, 99, 4, "ggml type 99", 139 },
        { "misplaced data offset", 143, 7, 8, "has data offset 7, but llama.cpp expects 0", 110 },
    };

    [Theory]
    [MemberData(nameof(HeaderFlips))]
    public async Task FlippedHeaderField_IsRefused_NamingFileOffsetAndProblem(string name, int offset, ulong value, int width, string problem, long reportedAt)
    {
        var bytes = Tiny();
        if (width == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), value);
        }

        var path = Save(bytes, name.Replace(' ', '-').Replace('/', '-'));
        var error = await Bounded.ThrowsAsync<GgufFormatException>(() => GgufReader.Read(path), name);

        Assert.Equal(path, error.FilePath);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        if (reportedAt >= 0)
        {
            Assert.Equal(reportedAt, error.Offset);
        }

        Assert.InRange(error.Offset, 0, bytes.Length);
    }

    [Fact]
    public async Task ProductOfDimensionsOverflowing64Bits_IsRefused()
    {
        var bytes = Tiny();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(123), 1L << 40);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(131), 1L << 40);
        var path = Save(bytes, "overflow");

        var error = await Bounded.ThrowsAsync<GgufFormatException>(() => GgufReader.Read(path), "dimensions 2^40 x 2^40");

        Assert.Contains("more elements than fit in 64 bits", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowNotWholeBlocks_IsRefused()
    {
        var bytes = Tiny();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(139), (int)GgmlType.Q4_0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(123), 33);
        var path = Save(bytes, "q4-rows");

        var error = await Bounded.ThrowsAsync<GgufFormatException>(() => GgufReader.Read(path), "Q4_0 rows of 33");

        Assert.Contains("not a multiple of its block size 32", error.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// A generated model with a real vocabulary, cut at 60 offsets (every byte of the fixed header, spread through
    /// the key/value and tensor tables, inside the tensor data, one byte short): each prefix is refused as truncated
    /// or not GGUF, by the reader and by the validator that guards llama.cpp.
    /// </summary>
    [Fact]
    public async Task GeneratedModel_TruncatedAtManyOffsets_IsRefusedEachTime()
    {
        var model = File.ReadAllBytes(TestModelFactory.GetOrCreate(TestModelFactory.TinyLlama));
        var dataOffset = GgufReader.Read(TestModelFactory.GetOrCreate(TestModelFactory.TinyLlama)).DataOffset;
        var random = new Random(7);
        var cuts = new SortedSet<long>(Enumerable.Range(0, 25).Select(i => (long)i)) { dataOffset - 1, dataOffset, dataOffset + 1, model.Length - 1 };
        while (cuts.Count < 60)
        {
            cuts.Add(random.NextInt64(25, model.Length - 1));
        }

        foreach (var cut in cuts)
        {
            var path = Save(model[..(int)cut], $"cut-{cut}");
            var error = await Bounded.ThrowsAsync<GgufFormatException>(() => GgufReader.Read(path), $"the model cut at {cut} of {model.Length} bytes");
            Assert.True(
                error.Problem!.Contains("truncated", StringComparison.Ordinal) || error.Problem.StartsWith("not a GGUF file", StringComparison.Ordinal),
                $"cut at {cut}: {error.Message}");
            Assert.InRange(error.Offset, 0, cut);

            var load = await Bounded.ThrowsAsync<LlamaModelLoadException>(() => ModelFileValidator.Validate(path, vocabOnly: false), $"validating the model cut at {cut}");
            Assert.Contains(path, load.Message, StringComparison.Ordinal);
            File.Delete(path);
        }
    }

    /// <summary>Random bytes flipped in the header region of a real model: every result is a valid file or a GgufFormatException.</summary>
    [Fact]
    public async Task GeneratedModel_RandomHeaderCorruption_IsValidOrRefused()
    {
        var source = TestModelFactory.GetOrCreate(TestModelFactory.TinyLlama);
        var model = File.ReadAllBytes(source);
        var dataOffset = (int)GgufReader.Read(source).DataOffset;
        var random = new Random(11);
        var refused = 0;
        for (var round = 0; round < 40; round++)
        {
            var bytes = (byte[])model.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                // Length fields and counts sit in the first bytes of each entry; bias toward the fixed header.
                var at = random.Next(2) == 0 ? random.Next(0, 64) : random.Next(0, dataOffset);
                bytes[at] ^= (byte)(1 << random.Next(8));
            }

            var path = Save(bytes, $"flip-{round}");
            var error = await Bounded.CatchAsync(() => GgufReader.Read(path), $"flip round {round} (seed 11)");
            if (error is not null)
            {
                Assert.True(error is GgufFormatException, $"round {round}: {error}");
                refused++;
            }

            File.Delete(path);
        }

        Assert.True(refused > 0, "no corruption was detected: the flips are not reaching the header");
    }

    [Fact]
    public async Task Validator_DirectoryEmptyFileAndTextFile_AreRefusedNamingThePath()
    {
        var empty = Save([], "empty");
        var text = Save("this is a text file, not a model"u8.ToArray(), "text");

        foreach (var path in new[] { _dir.FullName, empty, text })
        {
            var error = await Bounded.ThrowsAsync<LlamaModelLoadException>(() => ModelFileValidator.Validate(path, vocabOnly: false), path);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
    }
}
