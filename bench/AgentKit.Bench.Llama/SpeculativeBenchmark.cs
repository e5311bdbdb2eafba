using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Generation;
using AgentKit.LlamaCpp.Models;
using AgentKit.LlamaCpp.Sampling;
using AgentKit.Testing;

namespace AgentKit.Bench.Llama;

/// <summary>
/// The speculative workload (issue #18 §3), in one process and one run: AgentKit plain generation, AgentKit with a draft
/// model (a quantized copy of the target), AgentKit with prompt lookup on a RAG-style prompt that quotes its context (and
/// plain on that prompt), and llama.cpp's own <c>llama-speculative</c> on the same pair — greedy, same threads every side.
/// </summary>
internal static partial class SpeculativeBenchmark
{
    private const int ContextSize = 2048;

    private const string GeneralPrompt =
        "AgentKit composes local inference, a vector store, memory modules, tool plugins and planners. " +
        "A planner asks the chat client it holds whether the engine underneath offers multi-sequence decoding, " +
        "then draws several completions of one prompt and keeps the answer most of them agree on.";

    private const string RagContext =
        "Returns policy. Items bought in a store or online can be returned within 30 days of delivery for a full refund, " +
        "provided they are unused and in their original packaging. Refunds are paid to the original payment method within " +
        "5 business days of the return being received. Items marked final sale cannot be returned. ";

    private static string RagPrompt =>
        "Context:\n" + string.Concat(Enumerable.Repeat(RagContext, 3)) +
        "\nQuestion: what does the returns policy say? Quote the context word for word.\nAnswer: " + RagContext[..80];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var spec = options.Quick ? TestModelFactory.TinyQwen2 : TestModelFactory.Qwen2HalfB;
        var modelPath = TestModelFactory.GetOrCreate(spec);
        var type = LlamaQuantizer.ParseType(options.DraftType);
        var draftPath = Path.Combine(Directory.CreateDirectory(Path.Combine(BenchCache.Root, "drafts")).FullName, $"{Path.GetFileNameWithoutExtension(modelPath)}-{options.DraftType.ToLowerInvariant()}.gguf");
        if (!File.Exists(draftPath))
        {
            Console.WriteLine($"Quantizing the target to {options.DraftType} for the draft model ...");
            await LlamaQuantizer.QuantizeAsync(modelPath, draftPath, type, options.Threads).ConfigureAwait(false);
        }

        Console.WriteLine($"Target: {modelPath} ({Megabytes(modelPath)} MB); draft: {draftPath} ({Megabytes(draftPath)} MB, a {options.DraftType} copy of the target)");
        Console.WriteLine(Invariant.Str($"Threads: {options.Threads} every side; greedy; {options.SpeculativeTokens} tokens per answer; context {ContextSize}; runs: {options.Runs}; load before: {Load()}"));

        using var target = await LlamaModel.LoadAsync(modelPath).ConfigureAwait(false);
        using var draft = await LlamaModel.LoadAsync(draftPath).ConfigureAwait(false);
        var contextOptions = new LlamaContextOptions { ContextSize = ContextSize, MaxSequences = 1, Threads = options.Threads, BatchThreads = options.Threads };
        using var targetContext = target.CreateContext(contextOptions);
        using var draftContext = draft.CreateContext(contextOptions);
        var general = target.Vocabulary.Tokenize(GeneralPrompt);
        var rag = target.Vocabulary.Tokenize(RagPrompt);

        var rows = new Dictionary<string, List<Measurement>>();
        void Add(string name, Measurement m)
        {
            (rows.TryGetValue(name, out var list) ? list : rows[name] = []).Add(m);
            Console.WriteLine(Invariant.Str($"  {name,-34} {m.TokensPerSecond,8:F1} tok/s  {m.Generated} tokens{(m.Drafted > 0 ? $"  acceptance {m.Acceptance:P1} ({m.Accepted}/{m.Drafted})" : "")}"));
        }

        for (var run = 0; run < options.Runs; run++)
        {
            Console.WriteLine(Invariant.Str($"run {run + 1}/{options.Runs}"));
            var plain = await MeasureAsync(targetContext, general, null, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit plain", plain);
            var drafted = await MeasureAsync(targetContext, general, new LlamaSpeculationOptions { PromptLookup = false, DraftContext = draftContext, MaxDraftTokens = options.DraftMax }, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit draft model", drafted);
            Check(plain, drafted, "draft model");
            var ragPlain = await MeasureAsync(targetContext, rag, null, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit plain (RAG prompt)", ragPlain);
            var lookup = await MeasureAsync(targetContext, rag, new LlamaSpeculationOptions { MaxDraftTokens = options.DraftMax }, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit prompt lookup (RAG prompt)", lookup);
            Check(ragPlain, lookup, "prompt lookup");
        }

        var llama = await LlamaSpeculativeAsync(modelPath, draftPath, options).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine($"Medians of {options.Runs} run(s); load after: {Load()}");
        var plainRate = Median(rows["agentkit plain"]);
        var draftRate = Median(rows["agentkit draft model"]);
        var ragRate = Median(rows["agentkit plain (RAG prompt)"]);
        var lookupRate = Median(rows["agentkit prompt lookup (RAG prompt)"]);
        Console.WriteLine("| side | generation tok/s | acceptance | ratio |");
        Console.WriteLine("|---|---:|---:|---|");
        Console.WriteLine(Invariant.Str($"| AgentKit plain | {plainRate:F1} | - | 1.00x |"));
        Console.WriteLine(Invariant.Str($"| AgentKit draft model ({options.DraftType} copy) | {draftRate:F1} | {rows["agentkit draft model"][^1].Acceptance:P1} | {draftRate / plainRate:F2}x plain{(llama.Rate is { } r ? $", {draftRate / r:F2}x llama-speculative" : "")} |"));
        Console.WriteLine(Invariant.Str($"| AgentKit plain, RAG prompt | {ragRate:F1} | - | 1.00x |"));
        Console.WriteLine(Invariant.Str($"| AgentKit prompt lookup, RAG prompt | {lookupRate:F1} | {rows["agentkit prompt lookup (RAG prompt)"][^1].Acceptance:P1} | {lookupRate / ragRate:F2}x plain on the same prompt |"));
        Console.WriteLine(llama.Rate is { } rate
            ? Invariant.Str($"| llama-speculative (same pair, --spec-draft-n-max {options.DraftMax}) | {rate:F1} | {llama.Acceptance} | {rate / plainRate:F2}x AgentKit plain |")
            : $"| llama-speculative | not measured: {llama.Unavailable} | | |");
        return 0;
    }

    private sealed record Measurement(double TokensPerSecond, int Generated, int Drafted, int Accepted, IReadOnlyList<LlamaToken> Tokens)
    {
        public double Acceptance => Drafted == 0 ? 0 : (double)Accepted / Drafted;
    }

    /// <summary>
    /// One greedy answer from a cold KV cache; the rate counts tokens after the first over the time after the first (the
    /// prompt, and the draft model's copy of it, are decoded before, as llama-speculative does before its clock starts).
    /// </summary>
    private static async Task<Measurement> MeasureAsync(LlamaContext context, LlamaToken[] prompt, LlamaSpeculationOptions? speculation, int maxTokens)
    {
        context.Clear();
        if (speculation?.DraftContext is { } draft)
        {
            draft.Clear();
            draft.Evaluate(LlamaSeqId.Zero, prompt);
        }

        var tokens = new List<LlamaToken>();
        long first = 0;
        LlamaUsage usage = default;
        var options = new LlamaGenerationOptions { MaxTokens = maxTokens, Sampling = LlamaSamplingOptions.Greedy, Speculation = speculation };
        await foreach (var update in context.GenerateAsync(prompt, options).ConfigureAwait(false))
        {
            if (update.Token != LlamaToken.Null)
            {
                tokens.Add(update.Token);
                if (first == 0)
                {
                    first = Stopwatch.GetTimestamp();
                }
            }

            usage = update.Usage;
        }

        var seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        return new Measurement((tokens.Count - 1) / seconds, tokens.Count, usage.DraftTokens, usage.AcceptedDraftTokens, tokens);
    }

    private static void Check(Measurement plain, Measurement fast, string name)
    {
        if (!plain.Tokens.SequenceEqual(fast.Tokens))
        {
            var at = plain.Tokens.Zip(fast.Tokens).TakeWhile(p => p.First == p.Second).Count();
            Console.WriteLine(Invariant.Str($"  NOTE: {name} output differs from plain greedy from token {at} on (batch-versus-single numerics of this model)"));
        }
    }

    private static async Task<(double? Rate, string Acceptance, string? Unavailable)> LlamaSpeculativeAsync(string modelPath, string draftPath, BenchOptions options)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "llama-tools", "build.sh");
        Console.WriteLine("llama.cpp tools: bench/llama-tools/build.sh (cached; builds them the first time, which takes long) ...");
        var build = await ChildProcess.RunAsync("bash", [script], TimeSpan.FromMinutes(90)).ConfigureAwait(false);
        if (build is not { ExitCode: 0, TimedOut: false })
        {
            return (null, "", $"the tools did not build: {build?.LastLine ?? "bash could not be started"}");
        }

        var bin = build.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        var threads = Invariant.Str(options.Threads);
        var outcome = await ChildProcess.RunAsync(Path.Combine(bin, "llama-speculative"),
        [
            "-m", modelPath, "-md", draftPath, "-p", GeneralPrompt, "-n", Invariant.Str(options.SpeculativeTokens),
            "--spec-draft-n-max", Invariant.Str(options.DraftMax), "-t", threads, "-tb", threads, "-td", threads, "-tbd", threads,
            "-c", Invariant.Str(ContextSize), "--temp", "0", "-s", "1",
        ], TimeSpan.FromMinutes(20)).ConfigureAwait(false);
        var log = (outcome?.Output ?? "") + "\n" + (outcome?.Errors ?? "");
        var speed = DecodedSpeed().Match(log);
        if (outcome is not { ExitCode: 0 } || !speed.Success)
        {
            return (null, "", $"llama-speculative failed: {outcome?.LastLine ?? "could not be started"}");
        }

        var accept = AcceptRate().Match(log);
        var rate = double.Parse(speed.Groups[1].Value, CultureInfo.InvariantCulture);
        Console.WriteLine(Invariant.Str($"  llama-speculative                  {rate,8:F1} tok/s  acceptance {(accept.Success ? accept.Groups[1].Value + "%" : "?")}"));
        return (rate, accept.Success ? accept.Groups[1].Value + "%" : "?", null);
    }

    [GeneratedRegex(@"decoded\s+\d+ tokens in\s+[\d.]+ seconds, speed:\s+([\d.]+) t/s")]
    private static partial Regex DecodedSpeed();

    [GeneratedRegex(@"accept\s+=\s+([\d.]+)%")]
    private static partial Regex AcceptRate();

    private static double Median(List<Measurement> values)
    {
        var sorted = values.Select(v => v.TokensPerSecond).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Megabytes(string path) => Invariant.Str($"{new FileInfo(path).Length / (1024.0 * 1024.0):F0}");

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
