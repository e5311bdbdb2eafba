namespace AgentKit.Bench.Llama;

/// <summary>The four workloads of issue #2 section 9 and the parameters every side runs them with.</summary>
internal static class Workload
{
    public const string PromptProcessing = "pp512";
    public const string Generation = "tg128";
    public const string Multi = "multi";
    public const string Sequential = "seq";

    public static readonly string[] All = [PromptProcessing, Generation, Multi, Sequential];

    /// <summary>Tokens in the long prompt (pp512, multi, seq).</summary>
    public const int PromptTokens = 512;

    /// <summary>Tokens in the short prompt of tg128.</summary>
    public const int ShortPromptTokens = 16;

    /// <summary>Tokens generated per completion.</summary>
    public const int GeneratedTokens = 128;

    /// <summary>Completions in multi and seq.</summary>
    public const int Completions = 8;

    /// <summary>
    /// Timed decodes of the 512-token prompt in one pp512 process (memory cleared before each; the figure is their total
    /// tokens over their total time), as llama-bench repeats each test: one 5-second decode swings by several per cent
    /// on a shared VM.
    /// </summary>
    public const int PromptRepeats = 3;

    /// <summary>
    /// Single-token decodes after the warm-up prompt decode, on every side. 64 so that the JIT side is measured in its
    /// steady state, as a server runs: with 8, tiered compilation was still promoting the per-token path during the
    /// timed tg128 (about 125 methods, 84 ms of JIT time, on a core ggml's two threads need), against about 20 with 64.
    /// </summary>
    public const int WarmupSteps = 64;

    public const int ContextSize = 2048;
    public const int BatchSize = 512;

    /// <summary>Sequences the context holds: one for pp512/tg128, eight for multi/seq (the same on every side).</summary>
    public static int Sequences(string workload) => workload is Multi or Sequential ? Completions : 1;

    public static bool IsKnown(string workload) => Array.IndexOf(All, workload) >= 0;

    /// <summary>Whether the figure is a rate (tokens/s, higher is better) rather than a duration (seconds).</summary>
    public static bool IsRate(string workload) => workload is PromptProcessing or Generation;
}
