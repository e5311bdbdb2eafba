using System.Diagnostics;
using System.Globalization;
using AgentKit.Cost.Caching;
using AgentKit.Evaluation.Caching;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Reports;
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
//     cache, alternately with every shop seeding and ingesting its own data and with the shops sharing the read-only
//     data (ShopBotEvalOptions.ShareReadOnlyData). Target: the cached re-run ≤ 10 s.
// `--smoke` runs a small version of both.
var smoke = args.Contains("--smoke");
var mode = args.SkipWhile(a => a != "--mode").Skip(1).FirstOrDefault() ?? "all";
var parallel = int.Parse(args.SkipWhile(a => a != "--parallel").Skip(1).FirstOrDefault() ?? "4", CultureInfo.InvariantCulture);
var exit = 0;
if (mode is "overhead" or "all")
{
    exit |= await OverheadAsync(smoke);
}

if (mode is "shopbot" or "all")
{
    exit |= await ShopBotAsync(smoke, parallel);
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

static async Task<int> ShopBotAsync(bool smoke, int parallel)
{
    const double TargetSeconds = 10;
    var suite = EvalDataset.Load(Path.Combine(AppContext.BaseDirectory, "eval", "scenarios.jsonl"));
    var cases = smoke ? suite.Cases.Take(6).ToList() : suite.Cases.ToList();
    var work = Directory.CreateTempSubdirectory("agentkit-bench-eval-").FullName;
    try
    {
        using var cache = new SqliteDistributedCache(Path.Combine(work, "cache.db"));
        var runOptions = new EvalRunOptions { MaxParallel = parallel };
        IChatClient Model(EvalCase c) => new ChatClientBuilder(ScriptedShopModel.For(c)).UseEvalResponseCache(cache).UseEvalMetering().Build();
        ShopBotEvalOptions Options(bool shared) => new()
        {
            WorkDirectory = Path.Combine(work, "shops"), Embeddings = () => new HashingEmbeddingGenerator(), ShareReadOnlyData = shared,
        };

        var start = Stopwatch.GetTimestamp();
        EvalReport first;
        long calls;
        await using (var fillTarget = new ShopBotEvalTarget(Model, Options(shared: true)))
        {
            first = await new EvalRunner(fillTarget, runOptions).RunAsync(cases, "suite", "scripted");
            calls = first.Cases.Sum(c => c.Runs.Sum(r => r.ModelCalls));
        }

        var firstSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"shopbot: {cases.Count} scenarios, {parallel} at a time on {Environment.ProcessorCount} cores, each on a fresh shop (SQLite, carrier, SMTP sink, policies ingested or shared)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  first run (scripted model, filling the cache): {firstSeconds:0.0} s, {first.Totals.PassedRuns}/{first.Totals.Runs} passed, {calls} model calls"));

        // Cached re-runs, each shop seeding and ingesting on its own (as before) or sharing the read-only data, rounds
        // alternating which goes first. The re-runs have the scripted model too, so a miss is answered and counted.
        var seconds = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var passed = true;
        var rounds = smoke ? 1 : 3;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var shared in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                await using var target = new ShopBotEvalTarget(Model, Options(shared));
                var timed = new TimedTarget(target);
                start = Stopwatch.GetTimestamp();
                var again = await new EvalRunner(timed, runOptions).RunAsync(cases, "suite", "cache");
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                seconds[shared].Add(elapsed);
                passed &= again.Totals.PassRate == 1;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  cached re-run, {(shared ? "shared read-only data" : "every shop its own   ")}: {elapsed:0.0} s, {again.Totals.PassedRuns}/{again.Totals.Runs} passed, {again.Cases.Sum(c => c.Runs.Sum(r => r.CacheHits))} cache hits, {again.Cases.Sum(c => c.Runs.Sum(r => r.ModelCalls))} model calls; per scenario {again.Cases.Average(c => c.Runs[0].LatencyMs):0} ms, of which starting its shop {timed.MeanStartMs:0} ms, stopping it {timed.MeanStopMs:0} ms"));
                foreach (var failed in again.Cases.Where(c => c.SuccessRate < 1))
                {
                    Console.WriteLine($"  failed {failed.Id}: {failed.Runs[0].Error ?? string.Join("; ", failed.Runs[0].Results.Where(r => !r.Passed).Select(r => r.Detail))}");
                }
            }
        }

        var before = Median(seconds[false]);
        var after = Median(seconds[true]);
        var met = after <= TargetSeconds && passed && first.Totals.PassRate == 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  median cached re-run: every shop its own {before:0.0} s, shared read-only data {after:0.0} s; ratio {after / before:0.00} (target ≤ {TargetSeconds} s): {(met ? "PASS" : "FAIL")}"));
        return met ? 0 : 1;
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

/// <summary>Times the target's start and the session's disposal (the shop's stop), to show where a scenario's time goes.</summary>
sealed class TimedTarget(IEvalTarget inner) : IEvalTarget
{
    private long _starts;
    private long _startTicks;
    private long _stopTicks;

    public string Name => inner.Name;

    public double MeanStartMs => _starts == 0 ? 0 : TimeSpan.FromTicks(_startTicks / _starts).TotalMilliseconds;

    public double MeanStopMs => _starts == 0 ? 0 : TimeSpan.FromTicks(_stopTicks / _starts).TotalMilliseconds;

    public async ValueTask<IEvalSession> StartAsync(EvalCase evalCase, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var session = await inner.StartAsync(evalCase, cancellationToken);
        Interlocked.Add(ref _startTicks, Stopwatch.GetElapsedTime(start).Ticks);
        Interlocked.Increment(ref _starts);
        return new Session(session, this);
    }

    private sealed class Session(IEvalSession inner, TimedTarget owner) : IEvalSession
    {
        public Task<EvalTurn> SendAsync(string? userMessage, CancellationToken cancellationToken) => inner.SendAsync(userMessage, cancellationToken);

        public ValueTask<AgentKit.Evaluation.Expectations.ExpectationResult> CheckEndStateAsync(EndStateCheck check, CancellationToken cancellationToken) => inner.CheckEndStateAsync(check, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            var start = Stopwatch.GetTimestamp();
            await inner.DisposeAsync();
            Interlocked.Add(ref owner._stopTicks, Stopwatch.GetElapsedTime(start).Ticks);
        }
    }
}
