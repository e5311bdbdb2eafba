using System.Text;
using AgentKit.LlamaCpp.Gguf;

namespace AgentKit.Testing;

/// <summary>Produces the values of an f32 or f16 tensor in chunks, so large tensors never sit in memory whole.</summary>
/// <param name="firstElement">The index of the first element of <paramref name="destination"/> within the tensor.</param>
/// <param name="destination">The span to fill.</param>
public delegate void TensorFill(long firstElement, Span<float> destination);

/// <summary>
/// Writes GGUF files the way llama.cpp v0.5.0 expects them: header, key/values, tensor infos, then
/// tensor data contiguous and each padded to the alignment. The file is written to a temporary name
/// and renamed into place, so a reader never sees a partial file.
/// </summary>
public sealed class GgufWriter
{
    private const int ChunkElements = 1 << 20;
    private readonly OrderedDictionary<string, GgufValue> metadata = new(StringComparer.Ordinal);
    private readonly List<Tensor> tensors = [];

    /// <summary>Creates a writer.</summary>
    /// <param name="alignment">Tensor data alignment; a value other than 32 is recorded as <c>general.alignment</c>.</param>
    public GgufWriter(int alignment = 32)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Alignment must be a power of two.");
        }

        Alignment = alignment;
        if (alignment != 32)
        {
            metadata["general.alignment"] = GgufValue.Scalar((uint)alignment);
        }
    }

    /// <summary>The tensor data alignment in bytes.</summary>
    public int Alignment { get; }

    /// <summary>The GGUF version written into the header (2 or 3; default 3).</summary>
    public uint Version { get; init; } = 3;

    /// <summary>Sets a key to a value, replacing any earlier value.</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        metadata[key] = value;
        return this;
    }

    /// <summary>Sets a key to a scalar, string or typed array, inferring the GGUF type from the CLR type.</summary>
    public GgufWriter Set(string key, object value) =>
        Set(key, value is Array a ? GgufValue.Array(a) : GgufValue.Scalar(value));

    /// <summary>Adds an f32 or f16 tensor whose values <paramref name="fill"/> produces in chunks.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="type"><see cref="GgmlType.F32"/> or <see cref="GgmlType.F16"/>.</param>
    /// <param name="shape">Dimensions, fastest-varying first.</param>
    /// <param name="fill">Produces the values.</param>
    public GgufWriter AddTensor(string name, GgmlType type, long[] shape, TensorFill fill)
    {
        if (type is not (GgmlType.F32 or GgmlType.F16))
        {
            throw new ArgumentException($"Only F32 and F16 tensors can be generated, not {type}.", nameof(type));
        }

        var elements = shape.Aggregate(1L, (a, b) => a * b);
        tensors.Add(new Tensor(name, type, shape, elements * (type == GgmlType.F32 ? 4 : 2), fill, null));
        return this;
    }

    /// <summary>Adds a tensor of any type from its raw bytes; the size is taken from the data.</summary>
    public GgufWriter AddRawTensor(string name, GgmlType type, long[] shape, byte[] data)
    {
        tensors.Add(new Tensor(name, type, shape, data.Length, null, data));
        return this;
    }

    /// <summary>Writes the file: to a temporary file beside <paramref name="path"/>, then renamed over it.</summary>
    public void Write(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(stream);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(Version);
        w.Write((long)tensors.Count);
        w.Write((long)metadata.Count);
        foreach (var (key, value) in metadata)
        {
            WriteString(w, key);
            w.Write((int)value.Type);
            if (value.Value is Array array)
            {
                w.Write((int)value.ElementType!.Value);
                w.Write((ulong)array.Length);
                foreach (var element in array)
                {
                    WriteScalar(w, element);
                }
            }
            else
            {
                WriteScalar(w, value.Value);
            }
        }

        long offset = 0;
        foreach (var t in tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            foreach (var d in t.Shape)
            {
                w.Write(d);
            }

            w.Write((int)t.Type);
            w.Write((ulong)offset);
            offset += Pad(t.Size);
        }

        w.Flush();
        WritePadding(stream);
        foreach (var t in tensors)
        {
            if (t.Raw is { } raw)
            {
                stream.Write(raw);
            }
            else
            {
                WriteGenerated(stream, t);
            }

            WritePadding(stream);
        }
    }

    private static void WriteGenerated(Stream stream, Tensor t)
    {
        var elements = t.Type == GgmlType.F32 ? t.Size / 4 : t.Size / 2;
        var values = new float[(int)Math.Min(ChunkElements, Math.Max(elements, 1))];
        var bytes = new byte[values.Length * 4];
        for (long first = 0; first < elements; first += values.Length)
        {
            var n = (int)Math.Min(values.Length, elements - first);
            var chunk = values.AsSpan(0, n);
            t.Fill!(first, chunk);
            if (t.Type == GgmlType.F32)
            {
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk).CopyTo(bytes);
                stream.Write(bytes, 0, n * 4);
            }
            else
            {
                var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes.AsSpan(0, n * 2));
                for (var i = 0; i < n; i++)
                {
                    halves[i] = (Half)chunk[i];
                }

                stream.Write(bytes, 0, n * 2);
            }
        }
    }

    private long Pad(long size) => (size + Alignment - 1) / Alignment * Alignment;

    private void WritePadding(Stream stream)
    {
        var pad = (int)(Pad(stream.Position) - stream.Position);
        if (pad > 0)
        {
            stream.Write(new byte[pad]);
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteScalar(BinaryWriter w, object value)
    {
        switch (value)
        {
            case byte v: w.Write(v); break;
            case sbyte v: w.Write(v); break;
            case ushort v: w.Write(v); break;
            case short v: w.Write(v); break;
            case uint v: w.Write(v); break;
            case int v: w.Write(v); break;
            case float v: w.Write(v); break;
            case bool v: w.Write((byte)(v ? 1 : 0)); break;
            case string v: WriteString(w, v); break;
            case ulong v: w.Write(v); break;
            case long v: w.Write(v); break;
            case double v: w.Write(v); break;
            default: throw new ArgumentException($"{value.GetType()} has no GGUF value type.", nameof(value));
        }
    }

    private sealed record Tensor(string Name, GgmlType Type, long[] Shape, long Size, TensorFill? Fill, byte[]? Raw);
}
