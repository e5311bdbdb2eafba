namespace AgentKit.LlamaCpp.Gguf;

/// <summary>The metadata of a GGUF file, checked for consistency by <see cref="GgufReader.Read"/>; tensor data is not loaded.</summary>
public sealed class GgufFile
{
    internal GgufFile(string path, int version, long fileSize, int alignment, long dataOffset,
        IReadOnlyDictionary<string, GgufValue> metadata, IReadOnlyList<GgufTensorInfo> tensors)
    {
        Path = path;
        Version = version;
        FileSize = fileSize;
        Alignment = alignment;
        DataOffset = dataOffset;
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>The GGUF format version: 2 or 3.</summary>
    public int Version { get; }

    /// <summary>The file's size in bytes.</summary>
    public long FileSize { get; }

    /// <summary>The alignment of tensor data in bytes (<c>general.alignment</c>, default 32).</summary>
    public int Alignment { get; }

    /// <summary>The absolute byte position where the tensor data section starts.</summary>
    public long DataOffset { get; }

    /// <summary>Every key/value pair, in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Every tensor, in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>The model architecture (<c>general.architecture</c>), or null when the file does not name one.</summary>
    public string? Architecture => Metadata.TryGetValue("general.architecture", out var v) && v.Value is string s ? s : null;
}
