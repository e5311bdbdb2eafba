namespace AgentKit.LlamaCpp.Gguf;

/// <summary>What llama.cpp v0.5.0 knows about one model architecture (the <c>general.architecture</c> value).</summary>
/// <param name="Name">The architecture name as written in GGUF files, e.g. <c>qwen2</c>.</param>
/// <param name="HasDecoder">False only for encoder-only models (<c>t5encoder</c>) that llama_decode cannot run.</param>
/// <param name="IsRecurrent">A recurrent state model (Mamba, RWKV): no KV cache, sequences cannot be copied or trimmed freely.</param>
/// <param name="IsHybrid">Attention layers mixed with recurrent layers.</param>
/// <param name="IsDiffusion">A diffusion language model: generation is not token by token.</param>
public sealed record GgufArchitecture(string Name, bool HasDecoder, bool IsRecurrent, bool IsHybrid, bool IsDiffusion);

/// <summary>
/// The model architectures llama.cpp v0.5.0 can load, taken from <c>LLM_ARCH_NAMES</c> in its
/// <c>src/llama-arch.cpp</c> (with the flags of <c>llm_arch_is_recurrent</c>, <c>llm_arch_is_hybrid</c>,
/// <c>llm_arch_is_diffusion</c> and <c>llama_model_has_decoder</c>). Checking a file's architecture here
/// first turns llama.cpp's generic load failure into a message that names the architecture.
/// </summary>
/// <remarks><c>clip</c> is left out: llama.cpp knows the name only for multimodal projectors, which cannot be loaded as a model.</remarks>
public static class GgufArchitectures
{
    private static readonly string[] Recurrent = ["mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"];

    private static readonly string[] Hybrid =
    [
        "jamba", "falcon-h1", "plamo2", "granitehybrid", "lfm2", "lfm2moe", "nemotron_h", "nemotron_h_moe", "qwen3next",
        "kimi-linear", "bailingmoe3", "kimi-k3", "qwen35", "qwen35moe", "qwen4exp", "deepseek4", "minimax-01",
    ];

    private static readonly string[] Diffusion = ["dream", "llada", "llada-moe", "rnd1"];

    private static readonly string[] Names =
    [
        "llama", "llama4", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox",
        "mpt", "baichuan", "starcoder", "refact", "bert", "modern-bert", "nomic-bert", "nomic-bert-moe",
        "neo-bert", "jina-bert-v2", "jina-bert-v3", "eurobert", "bloom", "stablelm", "qwen", "qwen2",
        "qwen2moe", "qwen2vl", "qwen3", "qwen3moe", "qwen3next", "qwen3vl", "qwen3vlmoe", "qwen35",
        "qwen35moe", "qwen4exp", "phi2", "phi3", "phimoe", "plamo", "plamo2", "plamo3",
        "codeshell", "orion", "internlm2", "minicpm", "minicpm3", "gemma", "gemma2", "gemma3",
        "gemma3n", "gemma4", "gemma4-assistant", "gemma-embedding", "starcoder2", "mamba", "mamba2", "maple",
        "jamba", "falcon-h1", "xverse", "command-r", "cohere2", "cohere2moe", "dbrx", "olmo",
        "olmo2", "olmoe", "muse-glimmer", "openelm", "arctic", "deepseek", "deepseek2", "deepseek2-ocr",
        "deepseek32", "deepseek4", "chatglm", "glm4", "glm4moe", "glm-dsa", "bitnet", "t5",
        "t5encoder", "jais", "jais2", "nemotron", "nemotron_h", "nemotron_h_moe", "exaone", "exaone4",
        "exaone-moe", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "granite", "granitemoe", "granitehybrid",
        "graniteswitch", "granite_swa", "chameleon", "wavtokenizer-dec", "plm", "bailingmoe", "bailingmoe2", "bailingmoe3",
        "dots1", "dots3note", "arcee", "afmoe", "laguna", "ernie4_5", "ernie4_5-moe", "hunyuan-moe",
        "hunyuan-dense", "hunyuan_vl", "hy_v3", "hy_v4", "smollm3", "gpt-oss", "lfm2", "lfm2moe",
        "dream", "smallthinker", "llada", "llada-moe", "seed_oss", "grovemoe", "apertus", "minimax-01",
        "hrm_text", "minimax-m2", "minimax-m3", "cogvlm", "rnd1", "pangu-embedded", "mistral3", "eagle3",
        "dflash", "mistral4", "paddleocr", "mimo2", "step35", "spark2_5", "llama-embed", "maincoder",
        "kimi-linear", "kimi-k3", "talkie", "mellum", "nanbeige", "qwen3tts", "pockettts",
    ];

    private static readonly Dictionary<string, GgufArchitecture> ByName = Names.ToDictionary(
        n => n,
        n => new GgufArchitecture(n, HasDecoder: n != "t5encoder", Recurrent.Contains(n), Hybrid.Contains(n), Diffusion.Contains(n)),
        StringComparer.Ordinal);

    /// <summary>Every architecture name llama.cpp v0.5.0 can load as a model.</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(Names, StringComparer.Ordinal);

    /// <summary>Looks up an architecture by its exact (case-sensitive) name.</summary>
    /// <param name="name">The <c>general.architecture</c> value.</param>
    /// <param name="architecture">What llama.cpp knows about it, when known.</param>
    /// <returns>Whether llama.cpp v0.5.0 can load models of this architecture.</returns>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GgufArchitecture? architecture) =>
        ByName.TryGetValue(name, out architecture);
}
