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
}
