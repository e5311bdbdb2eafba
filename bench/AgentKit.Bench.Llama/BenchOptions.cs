using System.Globalization;

namespace AgentKit.Bench.Llama;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Engine benchmark (issue #2): AgentKit vs a C program on the same libllama, node-llama-cpp as a peer.

          dotnet run -c Release --project bench/AgentKit.Bench.Llama [options]

          --quick        the tiny 64-dim test model instead of the ~0.5B one (a smoke test; the figures mean nothing)
          --runs N       measurements per workload and side; the table shows the median (default 3)
          --threads N    n_threads and n_threads_batch on every side (default: the processor count, as AgentKit)
          --no-node      do not set up or run the node-llama-cpp peer
          --no-aot       do not publish or run the NativeAOT build of the AgentKit worker
          --only W,...   run only these engine workloads (pp512, tg128, multi, seq)
          --concurrency  instead: N streaming HTTP clients against `agentkit serve` (continuous batching) and
                         llama-server --parallel --cont-batching (built by bench/llama-tools/build.sh when missing)
          --clients N,.. client counts of --concurrency (default 1,4,8,16)
          --no-llama-server  --concurrency measures AgentKit alone (its own single-client ratio only)
          --sides S,...  sides of --concurrency, in order (default llama-server,agentkit): llama-server, agentkit
                         (agentkit serve over HTTP), in-process (a batching LlamaChatClient in the bench process, no
                         HTTP, with the scheduler's per-step breakdown: decode, sampling, other, tokens per step),
                         in-process-spawn (the same with LlamaContextOptions.PersistentThreadPool off: ggml starts
                         and joins its workers in every decode)
          --seconds N    seconds per --concurrency point (default 30)
          --answer-tokens N  max_tokens of each --concurrency request (default 64)
          --speculative  run the speculative-decoding workload instead (issue #18): AgentKit plain, with a draft model,
                         with prompt lookup on a RAG prompt, and llama.cpp's llama-speculative on the same pair
          --draft-type T the draft model's quantization of the target for --speculative (default q8_0; f16: none)
          --draft-layers N  the draft is the target's first N layers (generated with fewer layers, same seed), then
                         quantized per --draft-type (default: all layers)
          --no-llama-speculative  --speculative measures AgentKit alone
          --target-type T the target's weights for --speculative and --concurrency: f16 (default, the generated model
                         as is) or a quantization made by LlamaQuantizer (q8_0, q4_k_m, ...)
          --draft-max N  most tokens drafted per step for --speculative, every side (default 8)
          --tokens N     tokens per answer for --speculative (default 128)
          --help         this text
        """;

    public bool Quick { get; init; }

    public int Runs { get; init; } = 3;

    public int Threads { get; init; } = Environment.ProcessorCount;

    public bool Node { get; init; } = true;

    public bool Aot { get; init; } = true;

    public bool Help { get; init; }

    public IReadOnlyList<string> Only { get; init; } = Workload.All;

    public bool ConcurrencyMode { get; init; }

    public IReadOnlyList<int> Clients { get; init; } = [1, 4, 8, 16];

    public int Seconds { get; init; } = 30;

    public int AnswerTokens { get; init; } = 64;

    public bool LlamaServer { get; init; } = true;

    public IReadOnlyList<string> Sides { get; init; } = ["llama-server", "agentkit"];
    public bool Speculative { get; init; }

    public string DraftType { get; init; } = "q8_0";

    public int DraftMax { get; init; } = 8;

    public int? DraftLayers { get; init; }

    public string TargetType { get; init; } = "f16";

    public bool LlamaSpeculative { get; init; } = true;

    public int SpeculativeTokens { get; init; } = 128;

    /// <summary>Set for a child process that runs one workload: workload, model path, prompt file.</summary>
    public (string Workload, string Model, string PromptFile)? Worker { get; init; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--no-node" => options with { Node = false },
                "--no-aot" => options with { Aot = false },
                "--help" or "-h" => options with { Help = true },
                "--speculative" => options with { Speculative = true },
                "--draft-type" => options with { DraftType = Value(args, ++i, "--draft-type") },
                "--draft-layers" => options with { DraftLayers = Positive(args, ++i, "--draft-layers") },
                "--no-llama-speculative" => options with { LlamaSpeculative = false },
                "--target-type" => options with { TargetType = Value(args, ++i, "--target-type") },
                "--draft-max" => options with { DraftMax = Positive(args, ++i, "--draft-max") },
                "--tokens" => options with { SpeculativeTokens = Positive(args, ++i, "--tokens") },
                "--runs" => options with { Runs = Positive(args, ++i, "--runs") },
                "--threads" => options with { Threads = Positive(args, ++i, "--threads") },
                "--concurrency" => options with { ConcurrencyMode = true },
                "--no-llama-server" => options with { LlamaServer = false },
                "--sides" => options with { Sides = [.. Value(args, ++i, "--sides").Split(',').Select(w => w is "llama-server" or "agentkit" or "in-process" or "in-process-spawn" ? w : throw new BenchException($"Unknown side '{w}' (expected llama-server, agentkit, in-process, in-process-spawn)."))] },
                "--seconds" => options with { Seconds = Positive(args, ++i, "--seconds") },
                "--answer-tokens" => options with { AnswerTokens = Positive(args, ++i, "--answer-tokens") },
                "--clients" => options with { Clients = [.. Value(args, ++i, "--clients").Split(',').Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new BenchException($"--clients takes positive whole numbers separated by commas, not '{c}'."))] },
                "--only" => options with { Only = [.. Value(args, ++i, "--only").Split(',').Select(w => Workload.IsKnown(w) ? w : throw new BenchException($"Unknown workload '{w}' (expected {string.Join(", ", Workload.All)})."))] },
                "--worker" => options with { Worker = (Value(args, ++i, "--worker"), Value(args, ++i, "--worker"), Value(args, ++i, "--worker")) },
                var other => throw new BenchException($"Unknown option '{other}'; see --help."),
            };
        }

        if (options.Worker is { } worker && !Workload.IsKnown(worker.Workload))
        {
            throw new BenchException($"Unknown workload '{worker.Workload}' (expected {string.Join(", ", Workload.All)}).");
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, int index, string option) =>
        index < args.Count ? args[index] : throw new BenchException($"{option} needs a value; see --help.");

    private static int Positive(IReadOnlyList<string> args, int index, string option)
    {
        var text = Value(args, index, option);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new BenchException($"{option} needs a positive whole number, not '{text}'.");
    }
}
