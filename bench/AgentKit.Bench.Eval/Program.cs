using System.Diagnostics;
using System.Globalization;
using AgentKit.Cost.Caching;
using AgentKit.Evaluation.Caching;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Running;
using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using ShopBot.Eval;
using ShopBot.Tests.Eval;

// Two figures for agentkit eval (issue #19), both with scripted models (no LLM: what is measured is the evaluation
// machinery itself):
//   --mode overhead: per-case time of EvalRunner over a prompt dataset, minus the same model calls made directly
//     (render the prompt, call the scripted model) in the same run; rounds alternate. Target ≤ 5 ms per case.
//   --mode shopbot: ShopBot's suite once with the scripted model filling the response cache, then again from the
//     cache with a model that fails if it is called. Target: the cached re-run ≤ 10 s.
// `--smoke` runs a small version of both.
var smoke = args.Contains("--smoke");
var mode = args.SkipWhile(a => a != "--mode").Skip(1).FirstOrDefault() ?? "all";
var exit = 0;
if (mode is "overhead" or "all")
{
    exit |= await OverheadAsync(smoke);
}

if (mode is "shopbot" or "all")
{
    exit |= await ShopBotAsync(smoke);
}

return exit;

static async Task<int> OverheadAsync(bool smoke)
{
    const double TargetMs = 5;
    var cases = smoke ? 50 : 400;
    var rounds = smoke ? 3 : 11;
    var prompt = PromptTemplate.Parse("""
        ---
        name: Order total
        inputs:
          order: { type: string, required: true }
        ---
        system:
        Answer with JSON {"order": ..., "total": ...}.

        user:
        What is the total of order {{ order }}?
        """, "bench/order-total", "bench/order-total.prompty");
    var lines = Enumerable.Range(0, cases).Select(i => $$$"""
        {"id":"c{{{i}}}","group":"g{{{i % 5}}}","inputs":{"order":"SB-{{{10000 + i}}}"},"expect":[{"type":"json_schema","schema":{"type":"object","properties":{"order":{"type":"string"},"total":{"type":"number"}},"required":["order","total"]}},{"type":"numeric","path":"total","value":{{{i}}}.5,"tolerance":0.01},{"type":"contains","value":"SB-{{{10000 + i}}}"},{"type":"regex","pattern":"\"total\": *\\d+"},{"type":"not_contains","value":"error"}]}
        """.ReplaceLineEndings(""));
    var dataset = EvalDataset.Parse(new StringReader(string.Join("\n", lines)), "bench.jsonl");

    // The scripted model: answers each order with its total, computed from the request (no latency of its own).
    var model = new ScriptedChatClient((messages, _) =>
    {
        var order = messages[^1].Text.Split("order ")[1].TrimEnd('?');
        var total = int.Parse(order[3..], CultureInfo.InvariantCulture) - 10000 + 0.5;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Create(CultureInfo.InvariantCulture, $$"""{"order": "{{order}}", "total": {{total}}}""")));
    }) { RecordCalls = false };
    var metered = new ChatClientBuilder(model).UseEvalMetering().Build();
    var runner = new EvalRunner(new PromptEvalTarget(prompt, metered), new EvalRunOptions { MaxParallel = 1 });

    async Task<double> DirectAsync()
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var c in dataset.Cases)
        {
            await model.GetResponseAsync(prompt.Render(c.Inputs), prompt.CreateChatOptions());
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / cases;
    }

    async Task<double> EvalAsync()
    {
        var start = Stopwatch.GetTimestamp();
        var report = await runner.RunAsync(dataset, "scripted");
        if (report.Totals.PassRate != 1)
        {
            throw new InvalidOperationException("The benchmark's dataset must pass: " + string.Join("; ", report.Cases.SelectMany(c => c.Runs).SelectMany(r => r.Results).Where(r => !r.Passed).Select(r => r.Detail).Take(3)));
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / cases;
    }

    await DirectAsync();
    await EvalAsync();
    var direct = new List<double>();
    var eval = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        direct.Add(await DirectAsync());
        eval.Add(await EvalAsync());
    }

    var d = Median(direct);
    var e = Median(eval);
    var overhead = e - d;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"overhead: {cases} cases x {rounds} rounds, 5 expectations per case (JSON Schema, numeric, contains, regex, not-contains), 1 scripted model call per case"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  direct model calls (baseline): {d * 1000:0.0} µs per case (median of rounds)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  agentkit eval (EvalRunner):    {e * 1000:0.0} µs per case; ratio {e / d:0.0}x"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  overhead beyond model calls:   {overhead * 1000:0.0} µs per case (target ≤ {TargetMs} ms): {(overhead <= TargetMs ? "PASS" : "FAIL")}"));
    return overhead <= TargetMs ? 0 : 1;
}

static async Task<int> ShopBotAsync(bool smoke)
{
    const double TargetSeconds = 10;
    var suite = EvalDataset.Load(Path.Combine(AppContext.BaseDirectory, "eval", "scenarios.jsonl"));
    var cases = smoke ? suite.Cases.Take(6).ToList() : suite.Cases.ToList();
    var work = Directory.CreateTempSubdirectory("agentkit-bench-eval-").FullName;
    try
    {
        var cache = new SqliteDistributedCache(Path.Combine(work, "cache.db"));
        var options = new ShopBotEvalOptions { WorkDirectory = Path.Combine(work, "shops"), Embeddings = () => new HashingEmbeddingGenerator() };
        var runOptions = new EvalRunOptions { MaxParallel = Environment.ProcessorCount };

        var fill = new EvalRunner(new ShopBotEvalTarget(c => new ChatClientBuilder(ScriptedShopModel.For(c)).UseEvalResponseCache(cache).UseEvalMetering().Build(), options), runOptions);
        var start = Stopwatch.GetTimestamp();
        var first = await fill.RunAsync(cases, "suite", "scripted");
        var firstSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // The re-run's model fails if it is ever called: every answer must come from the cache.
        var noModel = new ScriptedChatClient((_, _) => throw new InvalidOperationException("The cached re-run called the model."));
        var rerun = new EvalRunner(new ShopBotEvalTarget(_ => new ChatClientBuilder(noModel).UseEvalResponseCache(cache).UseEvalMetering().Build(), options), runOptions);
        start = Stopwatch.GetTimestamp();
        var second = await rerun.RunAsync(cases, "suite", "cache");
        var secondSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var hits = second.Cases.Sum(c => c.Runs.Sum(r => r.CacheHits));
        var calls = first.Cases.Sum(c => c.Runs.Sum(r => r.ModelCalls));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"shopbot: {cases.Count} scenarios, {Environment.ProcessorCount} at a time, each on a fresh shop (SQLite, carrier, SMTP sink, policies ingested)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  first run (scripted model, filling the cache): {firstSeconds:0.0} s, {first.Totals.PassedRuns}/{first.Totals.Runs} passed, {calls} model calls"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  cached re-run (model never called):            {secondSeconds:0.0} s, {second.Totals.PassedRuns}/{second.Totals.Runs} passed, {hits} cache hits; ratio {secondSeconds / firstSeconds:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  mean per scenario: {second.Cases.Average(c => c.Runs[0].LatencyMs):0} ms (target for the whole re-run ≤ {TargetSeconds} s): {(secondSeconds <= TargetSeconds && second.Totals.PassRate == 1 ? "PASS" : "FAIL")}"));
        return secondSeconds <= TargetSeconds && second.Totals.PassRate == 1 && first.Totals.PassRate == 1 ? 0 : 1;
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(work, recursive: true);
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}
