namespace AgentKit.LlamaCpp.Models;

/// <summary>Models AgentKit's samples and CLI use by default.</summary>
public static class KnownModels
{
    /// <summary>
    /// Qwen2.5-0.5B-Instruct, Q4_K_M quantization, from Qwen's own GGUF repository: small enough to chat on
    /// a laptop CPU. No size or hash is pinned because neither could be confirmed from a source we can
    /// cite; the download is verified against the SHA-256 Hugging Face reports for the LFS object instead.
    /// </summary>
    public static ModelReference DefaultChat { get; } =
        new("Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf");

    /// <summary>
    /// Well-known GGUF embedding models by name (case-insensitive), for <c>agentkit models pull &lt;name&gt;</c> and
    /// <c>"Download": "&lt;name&gt;"</c> in <c>AgentKit:Models</c>. Like <see cref="DefaultChat"/> no hash is pinned: the
    /// download is verified against the SHA-256 Hugging Face reports for the file.
    /// </summary>
    public static IReadOnlyDictionary<string, ModelReference> Embedding { get; } = new Dictionary<string, ModelReference>(StringComparer.OrdinalIgnoreCase)
    {
        ["nomic-embed-text-v1.5"] = new("nomic-ai/nomic-embed-text-v1.5-GGUF", "nomic-embed-text-v1.5.Q8_0.gguf"),
        ["bge-small-en-v1.5"] = new("CompendiumLabs/bge-small-en-v1.5-gguf", "bge-small-en-v1.5-q8_0.gguf"),
        ["bge-base-en-v1.5"] = new("CompendiumLabs/bge-base-en-v1.5-gguf", "bge-base-en-v1.5-q8_0.gguf"),
        ["mxbai-embed-large-v1"] = new("mixedbread-ai/mxbai-embed-large-v1", "gguf/mxbai-embed-large-v1-f16.gguf"),
        ["embeddinggemma-300m"] = new("ggml-org/embeddinggemma-300M-GGUF", "embeddinggemma-300M-Q8_0.gguf"),
    };

    /// <summary>Finds a well-known embedding model by name.</summary>
    /// <param name="name">The name, e.g. <c>nomic-embed-text-v1.5</c>.</param>
    /// <param name="model">The model's Hugging Face file when known.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryGetEmbedding(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelReference? model)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Embedding.TryGetValue(name.Trim(), out model);
    }
}
