using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AgentKit.LlamaCpp.Gguf;

namespace AgentKit.Testing;

/// <summary>The shape of a generated model. Every property takes part in the cache key.</summary>
public sealed record TestModelSpec
{
    /// <summary><c>qwen2</c>, <c>llama</c> or <c>bert</c>.</summary>
    public string Architecture { get; init; } = "qwen2";

    /// <summary>The llama.cpp vocabulary the tokenizer is copied from (<c>models/ggml-vocab-{Vocab}.gguf</c>).</summary>
    public string Vocab { get; init; } = "qwen2";

    /// <summary>Embedding length (E).</summary>
    public int EmbeddingLength { get; init; } = 64;

    /// <summary>Number of transformer blocks.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads; must divide <see cref="EmbeddingLength"/>.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Key/value heads; must divide <see cref="Heads"/>.</summary>
    public int KvHeads { get; init; } = 2;

    /// <summary>Feed-forward length (F).</summary>
    public int FeedForwardLength { get; init; } = 128;

    /// <summary>Training context length recorded in the file.</summary>
    public int ContextLength { get; init; } = 2048;

    /// <summary>Seed of the weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Type of the matrices: <see cref="GgmlType.F16"/> or <see cref="GgmlType.F32"/>; norms and biases are always f32.</summary>
    public GgmlType FileType { get; init; } = GgmlType.F16;

    /// <summary>True: no <c>output.weight</c>, the output projection reuses the token embedding.</summary>
    public bool TiedOutput { get; init; } = true;
}

/// <summary>
/// Generates small GGUF models of real llama.cpp architectures with seeded random weights and a real
/// tokenizer copied from a llama.cpp vocabulary file, so engine tests run real inference on any machine
/// without downloading a model. Files are cached by parameters and written atomically.
/// </summary>
public static class TestModelFactory
{
    // Bump when the generated content changes, so caches from older generators are not reused.
    private const int GeneratorVersion = 2;
    private const float WeightStd = 0.02f;
    private static readonly ConcurrentDictionary<string, Lazy<string>> InProgress = new(StringComparer.Ordinal);

    /// <summary>A 64-dim, 2-layer qwen2 model with the Qwen2 vocabulary (~45 MB).</summary>
    public static TestModelSpec TinyQwen2 { get; } = new();

    /// <summary>A 64-dim, 2-layer llama model with the Llama SPM vocabulary (32k tokens).</summary>
    public static TestModelSpec TinyLlama { get; } = new() { Architecture = "llama", Vocab = "llama-spm" };

    /// <summary>A 64-dim, 2-layer BERT embedding model (mean pooling) with the BGE vocabulary.</summary>
    public static TestModelSpec TinyBert { get; } = new() { Architecture = "bert", Vocab = "bert-bge", Heads = 4, KvHeads = 4, ContextLength = 512 };

    /// <summary>The shape of Qwen2.5-0.5B (E 896, 24 layers, 14 heads, 2 KV heads, F 4864, tied, f16; ~1 GB) for benchmarks.</summary>
    public static TestModelSpec Qwen2HalfB { get; } = new()
    {
        EmbeddingLength = 896, Layers = 24, Heads = 14, KvHeads = 2, FeedForwardLength = 4864, ContextLength = 32768,
    };

    /// <summary>Where generated models are cached: <c>$AGENTKIT_TEST_MODEL_CACHE</c>, else <c>agentkit/test-models</c> under <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>.</summary>
    public static string CacheDir => AgentKitCache.Directory("AGENTKIT_TEST_MODEL_CACHE", "test-models");

    /// <summary>Returns the path of the model for <paramref name="spec"/>, generating it first when it is not cached.</summary>
    public static string GetOrCreate(TestModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Validate(spec);
        var path = Path.Combine(CacheDir, $"{spec.Architecture}-{spec.Vocab}-{Hash(spec)}.gguf");
        if (File.Exists(path))
        {
            return path;
        }

        // One generation per file within a process; across processes the atomic rename makes a race harmless.
        return InProgress.GetOrAdd(path, p => new Lazy<string>(() =>
        {
            if (!File.Exists(p))
            {
                Build(spec).Write(p);
            }

            return p;
        })).Value;
    }

    /// <summary>Builds the writer for <paramref name="spec"/> without writing it.</summary>
    public static GgufWriter Build(TestModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Validate(spec);
        var vocab = GgufReader.Read(LlamaSourceAssets.VocabFile(spec.Vocab));
        var tokenCount = vocab.Metadata["tokenizer.ggml.tokens"].Count;
        var a = spec.Architecture;
        var e = (long)spec.EmbeddingLength;
        var kv = e / spec.Heads * spec.KvHeads;
        var f = (long)spec.FeedForwardLength;
        var w = new GgufWriter();
        var m = spec.FileType;
        w.Set("general.architecture", a)
            .Set("general.name", $"agentkit-test-{a}-{spec.Vocab}")
            .Set("general.file_type", (uint)(m == GgmlType.F16 ? 1 : 0))
            .Set($"{a}.context_length", (uint)spec.ContextLength)
            .Set($"{a}.embedding_length", (uint)spec.EmbeddingLength)
            .Set($"{a}.block_count", (uint)spec.Layers)
            .Set($"{a}.feed_forward_length", (uint)spec.FeedForwardLength)
            .Set($"{a}.attention.head_count", (uint)spec.Heads)
            .Set($"{a}.attention.head_count_kv", (uint)spec.KvHeads);
        foreach (var (key, value) in vocab.Metadata)
        {
            if (key.StartsWith("tokenizer.", StringComparison.Ordinal))
            {
                w.Set(key, value);
            }
        }

        var rng = new SeededWeights(spec.Seed);
        if (a == "bert")
        {
            var tokenTypes = vocab.Metadata.TryGetValue("tokenizer.ggml.token_type_count", out var tt) ? tt.AsInt64() : 2;
            w.Set($"{a}.attention.layer_norm_epsilon", 1e-12f)
                .Set($"{a}.attention.causal", false)
                .Set($"{a}.pooling_type", 1u)
                .Set("tokenizer.ggml.token_type_count", (uint)tokenTypes);
            w.AddTensor("token_embd.weight", m, [e, tokenCount], rng.Uniform("token_embd.weight"));
            // bert adds a row of token_types directly (no get_rows), and ggml's CPU add cannot take an f16 operand.
            w.AddTensor("token_types.weight", GgmlType.F32, [e, tokenTypes], rng.Uniform("token_types.weight"));
            w.AddTensor("position_embd.weight", m, [e, spec.ContextLength], rng.Uniform("position_embd.weight"));
            AddNorm(w, "token_embd_norm", e, withBias: true);
            for (var i = 0; i < spec.Layers; i++)
            {
                var b = $"blk.{i}";
                AddLinear(w, rng, $"{b}.attn_q", m, e, e, bias: true);
                AddLinear(w, rng, $"{b}.attn_k", m, e, kv, bias: true);
                AddLinear(w, rng, $"{b}.attn_v", m, e, kv, bias: true);
                AddLinear(w, rng, $"{b}.attn_output", m, e, e, bias: true);
                AddNorm(w, $"{b}.attn_output_norm", e, withBias: true);
                AddLinear(w, rng, $"{b}.ffn_up", m, e, f, bias: true);
                AddLinear(w, rng, $"{b}.ffn_down", m, f, e, bias: true);
                AddNorm(w, $"{b}.layer_output_norm", e, withBias: true);
            }

            return w;
        }

        w.Set($"{a}.attention.layer_norm_rms_epsilon", 1e-6f)
            .Set($"{a}.rope.freq_base", a == "qwen2" ? 1_000_000f : 10_000f);
        w.AddTensor("token_embd.weight", m, [e, tokenCount], rng.Uniform("token_embd.weight"));
        AddNorm(w, "output_norm", e, withBias: false);
        if (!spec.TiedOutput)
        {
            w.AddTensor("output.weight", m, [e, tokenCount], rng.Uniform("output.weight"));
        }

        // qwen2 carries q/k/v biases; llama has none.
        var qkvBias = a == "qwen2";
        for (var i = 0; i < spec.Layers; i++)
        {
            var b = $"blk.{i}";
            AddNorm(w, $"{b}.attn_norm", e, withBias: false);
            AddLinear(w, rng, $"{b}.attn_q", m, e, e, qkvBias);
            AddLinear(w, rng, $"{b}.attn_k", m, e, kv, qkvBias);
            AddLinear(w, rng, $"{b}.attn_v", m, e, kv, qkvBias);
            AddLinear(w, rng, $"{b}.attn_output", m, e, e, bias: false);
            AddNorm(w, $"{b}.ffn_norm", e, withBias: false);
            AddLinear(w, rng, $"{b}.ffn_gate", m, e, f, bias: false);
            AddLinear(w, rng, $"{b}.ffn_up", m, e, f, bias: false);
            AddLinear(w, rng, $"{b}.ffn_down", m, f, e, bias: false);
        }

        return w;
    }

    private static void AddLinear(GgufWriter w, SeededWeights rng, string name, GgmlType type, long inputs, long outputs, bool bias)
    {
        w.AddTensor($"{name}.weight", type, [inputs, outputs], rng.Uniform($"{name}.weight"));
        if (bias)
        {
            w.AddTensor($"{name}.bias", GgmlType.F32, [outputs], static (_, d) => d.Clear());
        }
    }

    private static void AddNorm(GgufWriter w, string name, long length, bool withBias)
    {
        w.AddTensor($"{name}.weight", GgmlType.F32, [length], static (_, d) => d.Fill(1f));
        if (withBias)
        {
            w.AddTensor($"{name}.bias", GgmlType.F32, [length], static (_, d) => d.Clear());
        }
    }

    private static void Validate(TestModelSpec spec)
    {
        if (spec.Architecture is not ("qwen2" or "llama" or "bert"))
        {
            throw new ArgumentException($"Architecture '{spec.Architecture}' cannot be generated; use qwen2, llama or bert.", nameof(spec));
        }

        if (spec.EmbeddingLength <= 0 || spec.Layers <= 0 || spec.Heads <= 0 || spec.KvHeads <= 0 || spec.FeedForwardLength <= 0 || spec.ContextLength <= 0)
        {
            throw new ArgumentException($"Every size must be positive: {spec}.", nameof(spec));
        }

        if (spec.EmbeddingLength % spec.Heads != 0 || spec.Heads % spec.KvHeads != 0)
        {
            throw new ArgumentException($"Heads ({spec.Heads}) must divide the embedding length ({spec.EmbeddingLength}) and KV heads ({spec.KvHeads}) must divide the heads.", nameof(spec));
        }

        if (spec.FileType is not (GgmlType.F16 or GgmlType.F32))
        {
            throw new ArgumentException($"FileType must be F16 or F32, not {spec.FileType}.", nameof(spec));
        }
    }

    private static string Hash(TestModelSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"v{GeneratorVersion} {spec}")))[..16];

    /// <summary>
    /// Uniform weights with standard deviation 0.02 (small enough that activations stay finite), from a
    /// xorshift generator seeded by the model seed and the tensor name, so each tensor is reproducible
    /// on its own and generation runs at memory speed.
    /// </summary>
    private sealed class SeededWeights(int seed)
    {
        public TensorFill Uniform(string tensor)
        {
            var state = SplitMix((ulong)seed * 0x9E3779B97F4A7C15UL ^ Fnv(tensor));
            var scale = WeightStd * MathF.Sqrt(3f) * 2f / (1 << 24);
            var offset = WeightStd * MathF.Sqrt(3f);
            var start = state;
            return (first, d) =>
            {
                // The writer asks for chunks in order; restarting at element 0 makes a second write identical.
                var s = first == 0 ? start : state;
                for (var i = 0; i < d.Length; i++)
                {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    d[i] = (s >> 40) * scale - offset;
                }

                state = s;
            };
        }

        private static ulong SplitMix(ulong z)
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return z == 0 ? 1 : z;
        }

        private static ulong Fnv(string s)
        {
            var h = 14695981039346656037UL;
            foreach (var ch in s)
            {
                h = (h ^ ch) * 1099511628211UL;
            }

            return h;
        }
    }
}
