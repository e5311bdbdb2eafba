using System.Globalization;

namespace AgentKit.Bench.Server;

/// <summary>What the run measures.</summary>
internal enum BenchMode
{
    /// <summary>Latency and throughput on the scripted model (the issue #3 benchmark).</summary>
    Load,

    /// <summary>The load mode for a long time: per-window latency, errors, and the memory trend.</summary>
    Soak,

    /// <summary>A local GGUF model on llama.cpp with a bounded context pool, more clients than contexts.</summary>
    Llama,
}

/// <summary>The command line; see <see cref="Usage"/>.</summary>
internal sealed record BenchOptions(
    BenchMode Mode,
    TimeSpan Duration,
    int Sessions,
    int MessagesPerSession,
    TimeSpan ThinkTime,
    TimeSpan WarmUp,
    TimeSpan Window,
    TimeSpan SampleInterval,
    double MaxGrowthMbPerMinute,
    double MaxHeapChangePercent,
    int Contexts,
    int MaxQueued,
    TimeSpan QueueTimeout,
    int MaxTokens)
{
    public const string Usage = """
        usage: AgentKit.Bench.Server [--mode load|soak|llama] [options]
          every mode:  --duration s (load 30, soak 600, llama 30)   --sessions concurrent clients (200; llama 32)
                       --messages per session (10)   --think-ms pause before each message (0: saturate)
                       --warmup s (load 3, soak 120, llama 5)
          soak:        --window s per table row (60)   --sample s between memory samples (10)
                       --max-growth MB/min of GC heap allowed (1)   --max-change % last vs first window heap (10)
          llama:       --contexts context pool size (2)   --queue requests allowed to wait (8)
                       --queue-timeout s (10)   --max-tokens output tokens per model call (16)
        """;

    public static BenchOptions? Parse(string[] args)
    {
        var mode = BenchMode.Load;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                return Bad($"'{args[i]}' needs a value.");
            }

            if (args[i] == "--mode")
            {
                if (!Enum.GetNames<BenchMode>().Contains(args[i + 1], StringComparer.OrdinalIgnoreCase) || !Enum.TryParse(args[i + 1], ignoreCase: true, out mode))
                {
                    return Bad($"--mode must be load, soak or llama, not '{args[i + 1]}'.");
                }

                continue;
            }

            if (!Known.Contains(args[i]))
            {
                return Bad($"Unknown option '{args[i]}'.");
            }

            if (!double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
            {
                return Bad($"{args[i]} must be a non-negative number, not '{args[i + 1]}'.");
            }

            values[args[i]] = value;
        }

        double Get(string name, double fallback) => values.GetValueOrDefault(name, fallback);
        var options = new BenchOptions(
            mode,
            TimeSpan.FromSeconds(Get("--duration", mode switch { BenchMode.Soak => 600, _ => 30 })),
            (int)Get("--sessions", mode == BenchMode.Llama ? 32 : 200),
            (int)Get("--messages", 10),
            TimeSpan.FromMilliseconds(Get("--think-ms", 0)),
            TimeSpan.FromSeconds(Get("--warmup", mode switch { BenchMode.Soak => 120, BenchMode.Llama => 5, _ => 3 })),
            TimeSpan.FromSeconds(Get("--window", 60)),
            TimeSpan.FromSeconds(Get("--sample", 10)),
            Get("--max-growth", 1),
            Get("--max-change", 10),
            (int)Get("--contexts", 2),
            (int)Get("--queue", 8),
            TimeSpan.FromSeconds(Get("--queue-timeout", 10)),
            (int)Get("--max-tokens", 16));
        return options.Validate() is { } error ? Bad(error) : options;
    }

    private static readonly HashSet<string> Known =
    [
        "--duration", "--sessions", "--messages", "--think-ms", "--warmup", "--window", "--sample", "--max-growth",
        "--max-change", "--contexts", "--queue", "--queue-timeout", "--max-tokens",
    ];

    private string? Validate() =>
        Duration <= TimeSpan.Zero ? "--duration must be positive."
        : Sessions < 1 || MessagesPerSession < 1 ? "--sessions and --messages must be at least 1."
        : Mode == BenchMode.Soak && (Window <= TimeSpan.Zero || SampleInterval <= TimeSpan.Zero) ? "--window and --sample must be positive."
        : Mode == BenchMode.Soak && Duration < 3 * SampleInterval ? "--duration must be at least 3 x --sample, so the memory trend has 3 samples."
        : Mode == BenchMode.Llama && (Contexts is < 1 or > 64 || MaxTokens < 1 || QueueTimeout <= TimeSpan.Zero) ? "--contexts must be 1-64, --max-tokens and --queue-timeout positive."
        : null;

    private static BenchOptions? Bad(string message)
    {
        Console.Error.WriteLine($"Bad arguments: {message}");
        return null;
    }
}
