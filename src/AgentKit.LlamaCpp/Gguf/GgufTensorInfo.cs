namespace AgentKit.LlamaCpp.Gguf;

/// <summary>Where one tensor of a GGUF file is and what it holds.</summary>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(string name, GgmlType type, long[] shape, long offset, long size)
    {
        Name = name;
        Type = type;
        Shape = shape;
        Offset = offset;
        Size = size;
    }

    /// <summary>The tensor name, e.g. <c>blk.0.attn_q.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public GgmlType Type { get; }

    /// <summary>The dimensions in ggml order: the fastest-varying (row) dimension first.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The absolute byte position of the tensor's data in the file.</summary>
    public long Offset { get; }

    /// <summary>The size of the tensor's data in bytes.</summary>
    public long Size { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Shape)}]";
}
