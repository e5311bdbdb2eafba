using System.Diagnostics;
using System.Globalization;
using AgentKit.Bench.Planning;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Planning;
using AgentKit.Prompts;
using AgentKit.Testing;
using Game24.Puzzle;
using Microsoft.Extensions.AI;

// Planner benchmarks (issue #5) on the generated ~0.5B qwen2 model (TestModelFactory.Qwen2HalfB):
//   1. self-consistency, 8 paths: one multi-sequence batch vs 8 sequential calls;
//   2. Tree-of-Thoughts BFS b = 5 on one Game of 24 puzzle: sibling calls batched on the shared prefix vs naive
//      independent calls, one at a time.
// Usage: dotnet run -c Release --project bench/AgentKit.Bench.Planning [-- --sc-tokens 32 --tot-tokens 12 --proposals 5 --value-samples 2 --threads N]
var scTokens = Arg("--sc-tokens", 32);
var totTokens = Arg("--tot-tokens", 12);
var threads = Arg("--threads", Environment.ProcessorCount);
var proposals = Arg("--proposals", 5);
var valueSamples = Arg("--value-samples", 2);

Console.WriteLine($"Generating/loading {nameof(TestModelFactory.Qwen2HalfB)} …");
using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.Qwen2HalfB));
using var engine = new LlamaChatClient(model, new LlamaChatClientOptions
{
    Context = new LlamaContextOptions { ContextSize = 8192, MaxSequences = 8, Threads = threads, BatchThreads = threads },
    MaxContexts = 1,
    MaxJsonStringLength = 64,
});
using var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
Console.WriteLine($"{model.Metadata}; {threads} thread(s); {Environment.ProcessorCount} core(s)");

// 1. Self-consistency.
var sc = new SelfConsistencyPlanner(prompts);
var scOptions = new SelfConsistencyOptions
{
    Paths = 8, EarlyStop = false, Extraction = AnswerExtraction.Parse, Format = AnswerFormat.Number,
    ChatOptions = new ChatOptions { MaxOutputTokens = scTokens, Seed = 11 },
};
const string Question = "A shop sells pens at 3 for $2. How much do 12 pens cost, in dollars?";
await sc.RunAsync(engine, Question, scOptions with { Paths = 1 }); // warm-up: load weights into the page cache, build the context
var (scSequential, scSeqResult) = await TimeAsync(() => sc.RunAsync(engine, Question, scOptions with { UseMultiSequence = false, MaxConcurrency = 1 }));
var (scBatched, scBatchResult) = await TimeAsync(() => sc.RunAsync(engine, Question, scOptions));
Report("Self-consistency, n = 8", "8 sequential calls", scSequential, scSeqResult, "multi-sequence batch", scBatched, scBatchResult, 0.40);

// 2. Tree-of-Thoughts on the Game of 24.
var tot = new TreeOfThoughtsPlanner(prompts);
var puzzle = new Game24Task([4, 9, 10, 13]);
var totOptions = new TreeOfThoughtsOptions
{
    Breadth = 5, ValueSamples = valueSamples, StopAtFirstSolution = true,
    ChatOptions = new ChatOptions { MaxOutputTokens = totTokens, Seed = 5 },
};
using var naiveClient = new OracleOverlayChatClient(engine, offerMultiSequence: false, proposals);
using var batchedClient = new OracleOverlayChatClient(engine, offerMultiSequence: true, proposals);
var (totNaive, totNaiveResult) = await TimeAsync(() => tot.RunAsync(naiveClient, puzzle, totOptions with { MaxConcurrency = 1 }));
var (totBatched, totBatchedResult) = await TimeAsync(() => tot.RunAsync(batchedClient, puzzle, totOptions));
Report("Tree-of-Thoughts BFS b = 5, Game of 24 (4 9 10 13)", "naive independent calls", totNaive, totNaiveResult, "KV-shared sibling batches", totBatched, totBatchedResult, 0.5);
Console.WriteLine($"  same tree: {totNaiveResult.Tree.Nodes.Count} vs {totBatchedResult.Tree.Nodes.Count} nodes; answer {totBatchedResult.Answer} (checked: {totBatchedResult.Answer is not null && Game24Expression.Check(puzzle.Numbers, totBatchedResult.Answer)})");
return 0;

static async Task<(TimeSpan Elapsed, T Result)> TimeAsync<T>(Func<Task<T>> run)
{
    var clock = Stopwatch.StartNew();
    var result = await run();
    return (clock.Elapsed, result);
}

static void Report(string title, string baselineName, TimeSpan baseline, PlanningResult baseResult, string candidateName, TimeSpan candidate, PlanningResult result, double target)
{
    var ratio = candidate.TotalSeconds / baseline.TotalSeconds;
    Console.WriteLine();
    Console.WriteLine(title);
    Line(baselineName, baseline, baseResult);
    Line(candidateName, candidate, result);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio {ratio:0.00}x the baseline (target <= {target:0.00}x): {(ratio <= target ? "met" : "NOT met")}"));
}

static void Line(string name, TimeSpan elapsed, PlanningResult result) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  {name,-26} {elapsed.TotalSeconds,8:0.00} s  {result.ModelCalls,4} completions  {result.Requests,4} requests  {result.Usage.InputTokenCount,7} in ({result.Usage.CachedInputTokenCount ?? 0} cached)  {result.Usage.OutputTokenCount,6} out  {result.Outcome}"));

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
