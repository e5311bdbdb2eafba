namespace AgentKit.LlamaCpp;

/// <summary>A token id in a model's vocabulary (llama.cpp's <c>llama_token</c>).</summary>
/// <param name="Value">The raw id.</param>
public readonly record struct LlamaToken(int Value)
{
    /// <summary>llama.cpp's "no token" value (<c>LLAMA_TOKEN_NULL</c>).</summary>
    public static LlamaToken Null { get; } = new(-1);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A sequence id inside a context's KV cache (llama.cpp's <c>llama_seq_id</c>).</summary>
/// <param name="Value">The raw id, from 0 to the context's <c>MaxSequences - 1</c>.</param>
public readonly record struct LlamaSeqId(int Value)
{
    /// <summary>Sequence 0, the one single-sequence operations use.</summary>
    public static LlamaSeqId Zero { get; } = new(0);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A token position inside a sequence (llama.cpp's <c>llama_pos</c>).</summary>
/// <param name="Value">The raw position, 0-based.</param>
public readonly record struct LlamaPos(int Value)
{
    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
