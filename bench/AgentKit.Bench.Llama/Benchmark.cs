using System.Globalization;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Gguf;
using AgentKit.LlamaCpp.Native;
using AgentKit.Testing;

namespace AgentKit.Bench.Llama;

/// <summary>
/// The orchestrating process: generates the model once into the cache, writes the shared prompt, builds the
/// C baseline, sets up the node peer, then runs every workload as one child process per side and run, in
/// alternating order, and prints the report.
/// </summary>
internal static class Benchmark
{
    private static readonly TimeSpan WorkerTimeout = TimeSpan.FromMinutes(20);

    private const string PromptText =
        "AgentKit composes local inference, a vector store, memory modules, tool plugins and planners. " +
        "A planner asks the chat client it holds whether the engine underneath offers multi-sequence decoding, " +
        "then draws several completions of one prompt and keeps the answer most of them agree on. ";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var spec = options.Quick ? TestModelFactory.TinyQwen2 : TestModelFactory.Qwen2HalfB;
        Console.WriteLine(Invariant.Str($"Model: {spec}"));
        Console.WriteLine("Generating it into the cache if needed (the ~0.5B model is ~1 GB; the first time takes a while) ...");
        var modelPath = TestModelFactory.GetOrCreate(spec);
        if (!options.Quick)
        {
            CheckHalfBShape(modelPath);
        }

        LlamaNativeLibrary.Initialize();
        var nativeDirectory = LlamaNativeLibrary.LoadedFrom!;
        Console.WriteLine($"Model file: {modelPath} ({new FileInfo(modelPath).Length / (1024.0 * 1024.0):F0} MB)");
        Console.WriteLine($"Natives: {nativeDirectory}");
        Console.WriteLine(Invariant.Str($"Threads: {options.Threads} (n_threads and n_threads_batch, every side); context {Workload.ContextSize}, batch {Workload.BatchSize}; runs per figure: {options.Runs}"));

        var work = Directory.CreateTempSubdirectory("agentkit-bench-");
        try
        {
            var promptFile = Path.Combine(work.FullName, "prompt.txt");
            await WritePromptAsync(modelPath, promptFile).ConfigureAwait(false);

            var baseline = await CBaseline.BuildAsync(nativeDirectory).ConfigureAwait(false);
            Console.WriteLine($"C baseline: {baseline.Executable}");
            var node = options.Node ? await NodePeer.PrepareAsync().ConfigureAwait(false) : NodePeer.Disabled("not requested (--no-node)");
            Console.WriteLine(node.Unavailable is null ? $"node-llama-cpp peer: {node.PackageDirectory}" : $"node-llama-cpp peer: not measured: {node.Unavailable}");
            var aot = options.Aot ? await AotWorker.PrepareAsync().ConfigureAwait(false) : AotWorker.Disabled("not requested (--no-aot)");
            Console.WriteLine(aot.Unavailable is null ? $"AgentKit NativeAOT worker: {aot.Executable}" : $"AgentKit NativeAOT worker: not measured: {aot.Unavailable}");
            Console.WriteLine();

            var results = new List<WorkerResult>();
            for (var run = 0; run < options.Runs; run++)
            {
                foreach (var workload in options.Only)
                {
                    // Alternate which side goes first, so drift on a shared machine does not favour one side.
                    string[] sides = run % 2 == 0 ? ["c", "agentkit", "aot", "node"] : ["agentkit", "aot", "c", "node"];
                    foreach (var side in sides)
                    {
                        var result = side switch
                        {
                            "c" => await RunChildAsync(side, workload, baseline.Executable, CBaseline.Arguments(workload, modelPath, nativeDirectory, options.Threads, promptFile)).ConfigureAwait(false),
                            "agentkit" => await RunChildAsync(side, workload, WorkerCommand.File, [.. WorkerCommand.Prefix, "--worker", workload, modelPath, promptFile, "--threads", Invariant.Str(options.Threads)]).ConfigureAwait(false),
                            "aot" => aot.Executable is { } native ? await RunChildAsync(side, workload, native, AotWorker.Arguments(workload, modelPath, promptFile, options.Threads)).ConfigureAwait(false) : null,
                            _ => node.Unavailable is null && NodePeer.Runs(workload) ? await RunNodeAsync(node, workload, modelPath, options.Threads, promptFile).ConfigureAwait(false) : null,
                        };
                        if (result is not null)
                        {
                            results.Add(result);
                            Console.WriteLine(Invariant.Str($"run {run + 1}/{options.Runs} {workload,-5} {Report.SideName(side),-14} {Report.FormatFigure(result)}  peak RSS {result.RssMb:F0} MB  tokens {result.Checksum}"));
                        }
                    }
                }

                // The table after every round: on a shared machine a long run may have to be cut short.
                Console.WriteLine();
                Console.WriteLine(run + 1 == options.Runs
                    ? Invariant.Str($"Medians of {options.Runs} run(s):")
                    : Invariant.Str($"Medians after run {run + 1} of {options.Runs} (interim):"));
                Console.WriteLine();
                if (options.Only.Count == Workload.All.Length)
                {
                    new Report(results, node.Unavailable, aot.Unavailable).Print(Console.Out);
                }
                else
                {
                    PrintSelected(results, options.Only);
                }
                Console.WriteLine();
            }

            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>With <c>--only</c>: each workload's median per side and AgentKit's ratio to the C program (time or rate).</summary>
    private static void PrintSelected(IReadOnlyList<WorkerResult> results, IReadOnlyList<string> workloads)
    {
        foreach (var workload in workloads)
        {
            var medians = results.Where(r => r.Mode == workload).GroupBy(r => r.Side)
                .ToDictionary(g => g.Key, g => g.Select(r => r.Figure).Order().ElementAt(g.Count() / 2));
            var line = string.Join("  ", medians.Select(m => Invariant.Str($"{Report.SideName(m.Key)} {m.Value:F2}")));
            var ratio = medians.TryGetValue("c", out var c) && medians.TryGetValue("agentkit", out var ours) ? Invariant.Str($"  AgentKit / C {ours / c:F3}x {(Workload.IsRate(workload) ? "rate" : "time")}") : "";
            Console.WriteLine($"{workload}: {line}{ratio}");
        }
    }

    private static async Task<WorkerResult> RunChildAsync(string side, string workload, string file, IReadOnlyList<string> arguments)
    {
        var outcome = await ChildProcess.RunAsync(file, arguments, WorkerTimeout).ConfigureAwait(false)
            ?? throw new BenchException($"{file} could not be started for the {Report.SideName(side)} {workload} run.");
        if (outcome.TimedOut || outcome.ExitCode != 0)
        {
            throw new BenchException(outcome.TimedOut
                ? $"The {Report.SideName(side)} {workload} run took longer than {WorkerTimeout.TotalMinutes} minutes."
                : $"The {Report.SideName(side)} {workload} run failed (exit {outcome.ExitCode}): {outcome.LastLine}");
        }

        var result = WorkerResult.Parse(outcome.Output)
            ?? throw new BenchException($"The {Report.SideName(side)} {workload} run printed no result line: {outcome.LastLine}");
        return result with { Side = side };
    }

    private static async Task<WorkerResult?> RunNodeAsync(NodePeer node, string workload, string modelPath, int threads, string promptFile)
    {
        var outcome = await ChildProcess.RunAsync("node", node.Arguments(workload, modelPath, threads, promptFile), WorkerTimeout).ConfigureAwait(false);
        var result = outcome is { ExitCode: 0, TimedOut: false } ? WorkerResult.Parse(outcome.Output) : null;
        if (result is null)
        {
            node.Disable($"the {workload} run failed: {outcome?.LastLine ?? "node could not be started"}");
            Console.WriteLine($"node-llama-cpp peer: not measured further: {node.Unavailable}");
        }

        return result;
    }

    /// <summary>The prompt every side decodes: a fixed English text tokenized by the model's own vocabulary, cut to 512 tokens.</summary>
    private static async Task WritePromptAsync(string modelPath, string promptFile)
    {
        using var vocabOnly = await LlamaModel.LoadAsync(modelPath, new LlamaModelOptions { VocabOnly = true }).ConfigureAwait(false);
        var tokens = new List<LlamaToken>();
        while (tokens.Count < Workload.PromptTokens)
        {
            tokens.AddRange(vocabOnly.Vocabulary.Tokenize(string.Concat(Enumerable.Repeat(PromptText, 8)), addSpecial: tokens.Count == 0));
        }

        await File.WriteAllTextAsync(promptFile, string.Join('\n', tokens.Take(Workload.PromptTokens).Select(t => Invariant.Str(t.Value)))).ConfigureAwait(false);
    }

    /// <summary>Makes sure the generated file has the shape issue #2 asks for, whatever the factory's defaults become.</summary>
    private static void CheckHalfBShape(string modelPath)
    {
        var metadata = GgufReader.Read(modelPath).Metadata;
        (string Key, object Expected)[] expected =
        [
            ("general.architecture", "qwen2"),
            ("qwen2.embedding_length", 896L),
            ("qwen2.block_count", 24L),
            ("qwen2.attention.head_count", 14L),
            ("qwen2.attention.head_count_kv", 2L),
            ("qwen2.feed_forward_length", 4864L),
            ("general.file_type", 1L),
            ("tokenizer.ggml.pre", "qwen2"),
        ];
        foreach (var (key, want) in expected)
        {
            object? actual = !metadata.TryGetValue(key, out var value) ? null : want is string ? value.AsString() : value.AsInt64();
            if (!Equals(actual, want))
            {
                throw new BenchException(string.Create(CultureInfo.InvariantCulture, $"{modelPath}: {key} is {actual ?? "missing"}, expected {want} (the ~0.5B qwen2 f16 shape of issue #2)."));
            }
        }
    }
}

/// <summary>How to start this program again as a worker: the apphost directly, or <c>dotnet</c> with the assembly.</summary>
internal static class WorkerCommand
{
    public static string File { get; } = Environment.ProcessPath ?? "dotnet";

    public static IReadOnlyList<string> Prefix { get; } =
        Path.GetFileNameWithoutExtension(File) == "dotnet" ? [typeof(WorkerCommand).Assembly.Location] : [];
}
