using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Batching;
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

    private static string RagPrompt => RagPromptFor(0);

    /// <summary>The RAG prompt of client <paramref name="client"/>: the same context, an answer begun at another point of it.</summary>
    private static string RagPromptFor(int client) =>
        "Context:\n" + string.Concat(Enumerable.Repeat(RagContext, 3)) +
        "\nQuestion: what does the returns policy say? Quote the context word for word.\nAnswer: " + RagContext[..(80 + (25 * client))];

    /// <summary>Concurrent clients of the batch scheduler measured on RAG prompts, plain and with prompt lookup.</summary>
    private static readonly int[] SchedulerClients = [1, 4];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var spec = options.Quick ? TestModelFactory.TinyQwen2 : TestModelFactory.Qwen2HalfB;
        var generated = TestModelFactory.GetOrCreate(spec);
        var modelPath = await BenchCache.QuantizedAsync(generated, options.TargetType, options.Threads).ConfigureAwait(false);
        // The draft: the target's first N blocks (the generator seeds every tensor by its name, so a model generated
        // with fewer layers is the target truncated), quantized like --draft-type says.
        var draftSource = options.DraftLayers is { } layers && layers < spec.Layers ? TestModelFactory.GetOrCreate(spec with { Layers = layers }) : generated;
        var draftPath = await BenchCache.QuantizedAsync(draftSource, options.DraftType, options.Threads).ConfigureAwait(false);
        var draftLayers = draftSource == generated ? spec.Layers : options.DraftLayers!.Value;
        var pair = Invariant.Str($"target {options.TargetType}, draft {options.DraftType} of the target's first {draftLayers} of {spec.Layers} layers");

        Console.WriteLine($"Target: {modelPath} ({Megabytes(modelPath)} MB); draft: {draftPath} ({Megabytes(draftPath)} MB); {pair}; random weights");
        Console.WriteLine(Invariant.Str($"Threads: {options.Threads} every side; greedy; {options.SpeculativeTokens} tokens per answer; context {ContextSize}; runs: {options.Runs}; load before: {Load()}"));

        using var target = await LlamaModel.LoadAsync(modelPath).ConfigureAwait(false);
        using var draft = await LlamaModel.LoadAsync(draftPath).ConfigureAwait(false);
        var contextOptions = new LlamaContextOptions { ContextSize = ContextSize, MaxSequences = 1, Threads = options.Threads, BatchThreads = options.Threads };
        using var targetContext = target.CreateContext(contextOptions);
        using var draftContext = draft.CreateContext(contextOptions);
        var general = target.Vocabulary.Tokenize(GeneralPrompt);
        var rag = target.Vocabulary.Tokenize(RagPrompt);
        var tools = options.LlamaSpeculative ? await LlamaToolsAsync().ConfigureAwait(false) : (null, "--no-llama-speculative");

        using var scheduler = new LlamaBatchScheduler(target, contextOptions with { MaxSequences = 4 }, new LlamaBatchingOptions { MaxSequences = 4, ContextSize = 4 * ContextSize });
        var rows = new Dictionary<string, List<Measurement>>();
        void Add(string name, Measurement m)
        {
            (rows.TryGetValue(name, out var list) ? list : rows[name] = []).Add(m);
            Console.WriteLine(Invariant.Str($"  {name,-38} {m.TokensPerSecond,8:F1} tok/s ({m.TokensPerCpuSecond:F1} per CPU-second)  {m.Generated} tokens{m.Detail}"));
        }

        var adaptive = new LlamaSpeculationOptions { PromptLookup = false, DraftContext = draftContext, MaxDraftTokens = options.DraftMax };
        var llamaRuns = new List<(double Rate, string Acceptance, string Text)>();
        string? llamaUnavailable = tools.Unavailable;
        for (var run = 0; run < options.Runs; run++)
        {
            Console.WriteLine(Invariant.Str($"run {run + 1}/{options.Runs} (load {Load()})"));
            var plain = await MeasureAsync(targetContext, general, null, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit plain", plain);
            var drafted = await MeasureAsync(targetContext, general, adaptive, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit draft model, adaptive", drafted);
            Check(targetContext, general, plain, drafted, "draft model, adaptive");
            if (tools.Bin is { } bin)
            {
                var llama = await LlamaSpeculativeAsync(bin, modelPath, draftPath, options).ConfigureAwait(false);
                if (llama.Rate is { } r)
                {
                    llamaRuns.Add((r, llama.Acceptance, llama.Text));
                }
                else
                {
                    llamaUnavailable = llama.Unavailable;
                }
            }

            var fixedLength = await MeasureAsync(targetContext, general, adaptive with { AdaptiveDraftLength = false }, options.SpeculativeTokens).ConfigureAwait(false);
            Add(Invariant.Str($"agentkit draft model, fixed {options.DraftMax}"), fixedLength);
            Check(targetContext, general, plain, fixedLength, "draft model, fixed length");
            var ragPlain = await MeasureAsync(targetContext, rag, null, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit plain (RAG prompt)", ragPlain);
            var lookup = await MeasureAsync(targetContext, rag, new LlamaSpeculationOptions { MaxDraftTokens = options.DraftMax }, options.SpeculativeTokens).ConfigureAwait(false);
            Add("agentkit prompt lookup (RAG prompt)", lookup);
            Check(targetContext, rag, ragPlain, lookup, "prompt lookup");
            foreach (var clients in SchedulerClients)
            {
                var prompts = Enumerable.Range(0, clients).Select(c => target.Vocabulary.Tokenize(RagPromptFor(c))).ToArray();
                var scheduledPlain = await MeasureScheduledAsync(scheduler, prompts, null, options.SpeculativeTokens).ConfigureAwait(false);
                Add(Invariant.Str($"scheduler plain, {clients} client(s)"), scheduledPlain);
                var scheduledLookup = await MeasureScheduledAsync(scheduler, prompts, new LlamaSpeculationOptions { MaxDraftTokens = options.DraftMax }, options.SpeculativeTokens).ConfigureAwait(false);
                Add(Invariant.Str($"scheduler lookup, {clients} client(s)"), scheduledLookup);
                var same = scheduledPlain.Tokens.SequenceEqual(scheduledLookup.Tokens);
                Console.WriteLine(Invariant.Str($"  scheduler, {clients} client(s): lookup's tokens {(same ? "equal" : "DIFFER FROM")} plain's ({scheduledPlain.Tokens.Count} tokens, all clients)"));
            }
            if (run == 0 && llamaRuns.Count > 0)
            {
                var ours = target.Vocabulary.Detokenize(plain.Tokens.ToArray());
                var same = ours.Zip(llamaRuns[0].Text).TakeWhile(p => p.First == p.Second).Count();
                Console.WriteLine(Invariant.Str($"  llama-speculative's text equals AgentKit plain greedy's for {same} of {ours.Length} characters"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(Invariant.Str($"Medians of {options.Runs} run(s); load after: {Load()}; pair: {pair}"));
        var plainRate = Median(rows["agentkit plain"]);
        var ragRate = Median(rows["agentkit plain (RAG prompt)"]);
        double? llamaRate = llamaRuns.Count > 0 ? llamaRuns.Select(r => r.Rate).Order().ElementAt(llamaRuns.Count / 2) : null;
        var plainCpu = MedianCpu(rows["agentkit plain"]);
        Console.WriteLine("| side | generation tok/s | tok per CPU-second | acceptance | rounds, draft ms/token, verify ms/round | ratio (wall; CPU) |");
        Console.WriteLine("|---|---:|---:|---:|---|---|");
        Console.WriteLine(Invariant.Str($"| AgentKit plain | {plainRate:F1} | {plainCpu:F1} | - | | 1.00x |"));
        foreach (var name in new[] { "agentkit draft model, adaptive", Invariant.Str($"agentkit draft model, fixed {options.DraftMax}") })
        {
            var rate = Median(rows[name]);
            var last = rows[name][^1];
            var cpuRate = MedianCpu(rows[name]);
            Console.WriteLine(Invariant.Str($"| AgentKit {name[9..]} | {rate:F1} | {cpuRate:F1} | {last.Acceptance:P1} ({last.Accepted}/{last.Drafted}) | {last.Costs} | {rate / plainRate:F2}x; {cpuRate / plainCpu:F2}x plain{(llamaRate is { } r ? $", {rate / r:F2}x llama-speculative (wall)" : "")} |"));
        }

        Console.WriteLine(llamaRate is { } lr
            ? Invariant.Str($"| llama-speculative (same pair, --spec-draft-n-max {options.DraftMax}) | {lr:F1} | | {llamaRuns[^1].Acceptance} | | {lr / plainRate:F2}x AgentKit plain (wall) |")
            : $"| llama-speculative | not measured: {llamaUnavailable} | | | | |");
        var ragCpu = MedianCpu(rows["agentkit plain (RAG prompt)"]);
        Console.WriteLine(Invariant.Str($"| AgentKit plain, RAG prompt | {ragRate:F1} | {ragCpu:F1} | - | | 1.00x |"));
        var lookupRate = Median(rows["agentkit prompt lookup (RAG prompt)"]);
        var lookupLast = rows["agentkit prompt lookup (RAG prompt)"][^1];
        var lookupCpu = MedianCpu(rows["agentkit prompt lookup (RAG prompt)"]);
        Console.WriteLine(Invariant.Str($"| AgentKit prompt lookup, RAG prompt | {lookupRate:F1} | {lookupCpu:F1} | {lookupLast.Acceptance:P1} ({lookupLast.Accepted}/{lookupLast.Drafted}) | {lookupLast.Costs} | {lookupRate / ragRate:F2}x; {lookupCpu / ragCpu:F2}x plain on the same prompt |"));
        foreach (var clients in SchedulerClients)
        {
            var scheduledRate = Median(rows[Invariant.Str($"scheduler plain, {clients} client(s)")]);
            var scheduledLookup = rows[Invariant.Str($"scheduler lookup, {clients} client(s)")];
            var scheduledLookupRate = Median(scheduledLookup);
            var last = scheduledLookup[^1];
            Console.WriteLine(Invariant.Str($"| AgentKit batch scheduler, plain, RAG prompts, {clients} client(s) (aggregate) | {scheduledRate:F1} | | - | | 1.00x |"));
            Console.WriteLine(Invariant.Str($"| AgentKit batch scheduler, prompt lookup, RAG prompts, {clients} client(s) (aggregate) | {scheduledLookupRate:F1} | | {last.Acceptance:P1} ({last.Accepted}/{last.Drafted}) | {last.Rounds} sequence-steps | {scheduledLookupRate / scheduledRate:F2}x the scheduler plain |"));
        }

        return 0;
    }

    private sealed record Measurement(double TokensPerSecond, int Generated, int Drafted, int Accepted, IReadOnlyList<LlamaToken> Tokens, double TargetSeconds, double DraftSeconds)
    {
        public double Acceptance => Drafted == 0 ? 0 : (double)Accepted / Drafted;

        /// <summary>Tokens per second of this process's CPU time: with one thread, the work itself, whatever the machine's load.</summary>
        public double TokensPerCpuSecond { get; init; }

        /// <summary>Verify decodes: each yields its accepted drafts plus one token.</summary>
        public int Rounds => Generated - Accepted;

        public string Costs => Invariant.Str($"{Rounds} rounds, {Drafted / (double)Math.Max(1, Rounds):F1} drafted/round, draft {1000 * DraftSeconds / Math.Max(1, Drafted):F1} ms/token, target {1000 * TargetSeconds / Math.Max(1, Rounds):F1} ms/round");

        public string Detail => Drafted > 0 ? Invariant.Str($"  acceptance {Acceptance:P1} ({Accepted}/{Drafted}); {Costs}") : Invariant.Str($"  target {1000 * TargetSeconds / Math.Max(1, Rounds):F1} ms/token");
    }

    /// <summary>
    /// One greedy answer from a cold KV cache; the rate counts tokens after the first over the time after the first (the
    /// prompt, and the draft model's copy of it, are decoded before, as llama-speculative does before its clock starts).
    /// Decode times come from llama.cpp's counters of each context.
    /// </summary>
    private static async Task<Measurement> MeasureAsync(LlamaContext context, LlamaToken[] prompt, LlamaSpeculationOptions? speculation, int maxTokens)
    {
        context.Clear();
        var draft = speculation?.DraftContext;
        if (draft is not null)
        {
            draft.Clear();
            draft.Evaluate(LlamaSeqId.Zero, prompt);
        }

        var tokens = new List<LlamaToken>();
        long first = 0;
        var cpu = TimeSpan.Zero;
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
                    cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    context.ResetPerformance();
                    draft?.ResetPerformance();
                }
            }

            usage = update.Usage;
        }

        var seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        static double Busy(LlamaPerformance p) => (p.PromptTime + p.GenerationTime).TotalSeconds;
        return new Measurement((tokens.Count - 1) / seconds, tokens.Count, usage.DraftTokens, usage.AcceptedDraftTokens, tokens,
            Busy(context.GetPerformance()), draft is null ? 0 : Busy(draft.GetPerformance())) { TokensPerCpuSecond = (tokens.Count - 1) / cpuSeconds };
    }

    /// <summary>
    /// Greedy answers of <paramref name="prompts"/>.Length concurrent clients of the scheduler (their prompts cached from
    /// the previous measurement, as in a conversation); the aggregate rate counts the tokens generated after every client
    /// had its first token, over the time from then to the last answer's end.
    /// </summary>
    private static async Task<Measurement> MeasureScheduledAsync(LlamaBatchScheduler scheduler, LlamaToken[][] prompts, LlamaSpeculationOptions? speculation, int maxTokens)
    {
        var options = new LlamaGenerationOptions { MaxTokens = maxTokens, Sampling = LlamaSamplingOptions.Greedy, Speculation = speculation };
        var decodeBefore = scheduler.Statistics.DecodeTime;
        var answers = await Task.WhenAll(prompts.Select(async prompt =>
        {
            var stamps = new List<(long At, LlamaToken Token)>();
            LlamaUsage usage = default;
            await foreach (var update in scheduler.GenerateAsync(prompt, options).ConfigureAwait(false))
            {
                if (update.Token != LlamaToken.Null)
                {
                    stamps.Add((Stopwatch.GetTimestamp(), update.Token));
                }

                usage = update.Usage;
            }

            return (Stamps: stamps, Usage: usage);
        })).ConfigureAwait(false);
        var start = answers.Max(a => a.Stamps[0].At);
        var end = answers.Max(a => a.Stamps[^1].At);
        var counted = answers.Sum(a => a.Stamps.Count(s => s.At > start));
        return new Measurement(counted / Stopwatch.GetElapsedTime(start, end).TotalSeconds, answers.Sum(a => a.Stamps.Count),
            answers.Sum(a => a.Usage.DraftTokens), answers.Sum(a => a.Usage.AcceptedDraftTokens), [.. answers.SelectMany(a => a.Stamps.Select(s => s.Token))],
            (scheduler.Statistics.DecodeTime - decodeBefore).TotalSeconds, 0);
    }

    /// <summary>
    /// Reports where a speculative answer left plain greedy's, and why: at that position, plain decoding's two
    /// candidates' logits (their margin), and the same position's logits when it is computed inside a batch of 2 to 9
    /// tokens as a verify decode does (the largest logit difference from the single-token decode, and whether the
    /// top token changes).
    /// </summary>
    private static void Check(LlamaContext context, LlamaToken[] prompt, Measurement plain, Measurement fast, string name)
    {
        if (plain.Tokens.SequenceEqual(fast.Tokens))
        {
            Console.WriteLine(Invariant.Str($"  {name}: output identical to plain greedy ({plain.Tokens.Count} tokens)"));
            return;
        }

        var at = plain.Tokens.Zip(fast.Tokens).TakeWhile(p => p.First == p.Second).Count();
        if (at >= Math.Min(plain.Tokens.Count, fast.Tokens.Count))
        {
            Console.WriteLine(Invariant.Str($"  NOTE: {name}: lengths differ ({plain.Tokens.Count} vs {fast.Tokens.Count})"));
            return;
        }

        // Plain decoding's logits at the divergence: the prompt, then every earlier token decoded alone.
        context.Clear();
        context.Evaluate(LlamaSeqId.Zero, prompt);
        var held = context.SequenceTokens(0);
        for (var i = 0; i < at; i++)
        {
            context.ClearBatch();
            context.AddToBatch(plain.Tokens[i], held.Count, 0, wantLogits: true);
            context.Decode(CancellationToken.None, 0);
            held.Add(plain.Tokens[i]);
        }

        var single = context.GetLogits(0).ToArray();
        var margin = single[plain.Tokens[at].Value] - single[fast.Tokens[at].Value];
        var report = Invariant.Str($"  NOTE: {name}: output differs from plain greedy from token {at} on: plain's logit for its token {plain.Tokens[at].Value} exceeds that of the speculative token {fast.Tokens[at].Value} by {margin:G3} (logits span {single.Max() - single.Min():F2})");
        for (var batch = 2; batch <= 9 && batch <= at + 1; batch++)
        {
            // The same position computed as the last row of a batch of `batch` tokens, as in a verify decode.
            context.TruncateSequence(0, prompt.Length + at - batch + 1);
            context.ClearBatch();
            for (var k = 0; k < batch; k++)
            {
                var index = at - batch + 1 + k;
                context.AddToBatch(index < 0 ? prompt[^1] : plain.Tokens[index], held.Count, 0, wantLogits: true);
                held.Add(index < 0 ? prompt[^1] : plain.Tokens[index]);
            }

            context.Decode(CancellationToken.None, 0);
            var batched = context.GetLogits(batch - 1);
            var diff = 0f;
            for (var v = 0; v < single.Length; v++)
            {
                diff = Math.Max(diff, Math.Abs(batched[v] - single[v]));
            }

            report += Invariant.Str($"; batch {batch}: max |Δlogit| {diff:G3}, top {(TensorPrimitives.IndexOfMax(batched) == TensorPrimitives.IndexOfMax(single) ? "same" : "FLIPS")}");
        }

        Console.WriteLine(report);
    }

    /// <summary>llama.cpp's tools, built by bench/llama-tools/build.sh (cached; the first time takes long).</summary>
    private static async Task<(string? Bin, string? Unavailable)> LlamaToolsAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "llama-tools", "build.sh");
        Console.WriteLine("llama.cpp tools: bench/llama-tools/build.sh (cached; builds them the first time, which takes long) ...");
        var build = await ChildProcess.RunAsync("bash", [script], TimeSpan.FromMinutes(90)).ConfigureAwait(false);
        return build is { ExitCode: 0, TimedOut: false }
            ? (build.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1], null)
            : (null, $"the tools did not build: {build?.LastLine ?? "bash could not be started"}");
    }

    private static async Task<(double? Rate, string Acceptance, string Text, string? Unavailable)> LlamaSpeculativeAsync(string bin, string modelPath, string draftPath, BenchOptions options)
    {
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
            return (null, "", "", $"llama-speculative failed: {outcome?.LastLine ?? "could not be started"}");
        }

        var accept = AcceptRate().Match(log);
        var drafted = DraftedCount().Match(log);
        var rate = double.Parse(speed.Groups[1].Value, CultureInfo.InvariantCulture);
        var acceptance = accept.Success ? accept.Groups[1].Value + "%" + (drafted.Success ? $" ({drafted.Groups[2].Value}/{drafted.Groups[1].Value})" : "") : "?";
        // Its stdout is the prompt, then the answer.
        var output = outcome.Output;
        var from = output.IndexOf(GeneralPrompt, StringComparison.Ordinal);
        var text = from < 0 ? "" : output[(from + GeneralPrompt.Length)..].TrimEnd();
        Console.WriteLine(Invariant.Str($"  {"llama-speculative",-38} {rate,8:F1} tok/s  acceptance {acceptance}"));
        return (rate, acceptance, text, null);
    }

    [GeneratedRegex(@"n_drafted\s+=\s+(\d+)\s+n_accept\s+=\s+(\d+)")]
    private static partial Regex DraftedCount();

    [GeneratedRegex(@"decoded\s+\d+ tokens in\s+[\d.]+ seconds, speed:\s+([\d.]+) t/s")]
    private static partial Regex DecodedSpeed();

    [GeneratedRegex(@"accept\s+=\s+([\d.]+)%")]
    private static partial Regex AcceptRate();

    private static double Median(List<Measurement> values)
    {
        var sorted = values.Select(v => v.TokensPerSecond).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static double MedianCpu(List<Measurement> values)
    {
        var sorted = values.Select(v => v.TokensPerCpuSecond).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Megabytes(string path) => Invariant.Str($"{new FileInfo(path).Length / (1024.0 * 1024.0):F0}");

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
