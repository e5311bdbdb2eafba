using System.Diagnostics;
using System.Globalization;
using AgentKit.Bench.WordProblems;
using AgentKit.Planning;
using AgentKit.Prompts;
using AgentKit.Sandbox;
using Jint;
using Microsoft.Extensions.AI;

// Planner benchmarks on generated arithmetic word problems with known answers and a programmatic checker (exact
// comparison). Every model here is a scripted, oracle-backed stand-in (ScriptedChatClient): it knows each answer.
//   1. PAL: an oracle program writer (writes the correct program; a first attempt has a misspelt variable with
//      --bug probability, corrected once the sandbox error is fed back) — exact-match rate, attempts; and the sandbox's
//      start overhead: a sandboxed run of each program vs a bare `new Engine().Evaluate`, p50.
//   2. Cooperation: noisy scripted agents of known rates (NoiseProfile); accuracy of chain-of-thought (one agent, the
//      baseline), self-consistency, self-check, critique and debate over the same problems, with gain and token cost.
// Usage: dotnet run -c Release --project bench/AgentKit.Bench.WordProblems [-- --problems 300 --seed 7 --bug 0.3 --smoke]
var smoke = args.Contains("--smoke");
var count = Arg("--problems", smoke ? 40 : 300);
var seed = Arg("--seed", 7);
var bug = ArgDouble("--bug", 0.3);
var problems = WordProblemGenerator.Generate(count, seed);
var byId = problems.ToDictionary(p => p.Id);
using var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
var ct = CancellationToken.None;
Console.WriteLine($"{count} generated word problems (seed {seed}); {Environment.ProcessorCount} core(s){(smoke ? " [smoke]" : "")}");

// 1. PAL.
using var sandbox = new JavaScriptSandbox();
var pal = new ProgramAidedPlanner(prompts, sandbox);
var writer = ScriptedModels.OracleProgramWriter(byId, bug, (ulong)seed);
int exact = 0, attempts = 0, corrected = 0;
foreach (var problem in problems)
{
    var result = await pal.RunAsync(writer, problem.Text, new ProgramAidedOptions { Format = AnswerFormat.Number }, ct);
    exact += result.Answer == problem.Answer.ToString(CultureInfo.InvariantCulture) ? 1 : 0;
    attempts += result.Attempts.Count;
    corrected += result.Attempts.Count > 1 && result.Outcome == PlanningOutcome.Answered ? 1 : 0;
}

Console.WriteLine();
Console.WriteLine("PAL (oracle program writer, scripted)");
Console.WriteLine(Inv($"  exact: {exact}/{count} = {(double)exact / count:P1} (target 100%): {(exact == count ? "met" : "NOT met")}"));
Console.WriteLine(Inv($"  programs written: {attempts} ({(double)attempts / count:0.00} per problem); {corrected} first-try bugs corrected from the sandbox's error"));

var raw = new List<double>();
var sandboxed = new List<double>();
var reps = smoke ? 2 : 5;
for (var rep = 0; rep <= reps; rep++)
{
    foreach (var problem in problems)
    {
        var started = Stopwatch.GetTimestamp();
        using (var engine = new Engine())
        {
            engine.SetValue("console", new { log = new Action<object>(_ => { }) });
            engine.Execute(problem.Program);
        }

        var rawMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        started = Stopwatch.GetTimestamp();
        await sandbox.RunAsync(new SandboxRequest(problem.Program), ct);
        var sandboxedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (rep > 0)
        {
            // Pass 0 warms both paths up.
            raw.Add(rawMs);
            sandboxed.Add(sandboxedMs);
        }
    }
}

var rawP50 = Percentile(raw, 0.5);
var sandboxedP50 = Percentile(sandboxed, 0.5);
Console.WriteLine(Inv($"  sandbox start overhead over {sandboxed.Count} runs: sandboxed p50 {sandboxedP50:0.000} ms (p99 {Percentile(sandboxed, 0.99):0.000}) vs bare Jint p50 {rawP50:0.000} ms: +{sandboxedP50 - rawP50:0.000} ms ({sandboxedP50 / rawP50:0.00}x); target sandboxed p50 <= 5 ms: {(sandboxedP50 <= 5 ? "met" : "NOT met")}"));

// 2. Cooperation.
var noise = new NoiseProfile(SolveRight: 0.55, ReviseRight: 0.55, AcceptRight: 0.9, RejectWrong: 0.75, Recognize: 0.7, KeepOwn: 0.5);
var criticNoise = noise with { AcceptRight = 0.95, RejectWrong = 0.9 };
Console.WriteLine();
Console.WriteLine(Inv($"Cooperation (scripted oracle-backed agents: solve right {noise.SolveRight:0.00}, revise right {noise.ReviseRight:0.00}; verifier accepts right {noise.AcceptRight:0.00}, rejects wrong {noise.RejectWrong:0.00}; critic {criticNoise.AcceptRight:0.00}/{criticNoise.RejectWrong:0.00}; in debate recognises the right answer {noise.Recognize:0.00}, keeps its own {noise.KeepOwn:0.00})"));
var salt = (ulong)seed * 7919;
IChatClient Agent() => ScriptedModels.NoisyAgent(byId, noise, salt);
var rows = new List<(string Name, Func<WordProblem, Task<PlanningResult>> Run)>
{
    ("chain-of-thought (1 agent, baseline)", p => Run(new ChainOfThoughtPlanner(prompts).RunAsync(Agent(), p.Text, new ChainOfThoughtOptions { Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse }, ct))),
    ("self-consistency, 3 paths", p => Run(new SelfConsistencyPlanner(prompts).RunAsync(Agent(), p.Text, new SelfConsistencyOptions { Paths = 3, EarlyStop = false, Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, ChatOptions = new ChatOptions { Seed = p.Id * 1000 } }, ct))),
    ("self-check, verifier prompt, <= 2 revisions", p => Run(new SelfCheckPlanner(prompts).RunAsync(Agent(), p.Text, new SelfCheckOptions { Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxRevisions = 2 }, ct))),
    ("critique, critic model, <= 2 revisions", p => Run(new CritiquePlanner(prompts).RunAsync(Agent(), ScriptedModels.NoisyAgent(byId, criticNoise, salt ^ 0xC0FFEE), p.Text, new CritiqueOptions { Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxRevisions = 2 }, ct))),
    ("debate, 3 agents x 3 rounds, majority", p => Run(new DebatePlanner(prompts).RunAsync(Agent(), p.Text, new DebateOptions { Agents = 3, Rounds = 3, Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, ChatOptions = new ChatOptions { Seed = p.Id * 1000 } }, ct))),
    ("self-check, programmatic verifier (oracle: upper bound)", p => Run(new SelfCheckPlanner(prompts).RunAsync(Agent(), p.Text, new SelfCheckOptions
    {
        Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxRevisions = 2,
        Verifier = (_, answer, _) => ValueTask.FromResult(new AnswerReview(answer == p.Answer.ToString(CultureInfo.InvariantCulture), "The total is wrong.")),
    }, ct))),
};

double? baseAccuracy = null;
double? baseTokens = null;
Console.WriteLine(Inv($"  {"planner",-56} {"accuracy",9} {"gain",8} {"tokens/q",9} {"x tokens",9} {"calls/q",8}"));
foreach (var (name, run) in rows)
{
    int right = 0, calls = 0;
    long tokens = 0;
    foreach (var problem in problems)
    {
        var result = await run(problem);
        right += result.Answer == problem.Answer.ToString(CultureInfo.InvariantCulture) ? 1 : 0;
        tokens += result.Usage.TotalTokenCount ?? 0;
        calls += result.ModelCalls;
    }

    var accuracy = (double)right / count;
    var perQuestion = (double)tokens / count;
    baseAccuracy ??= accuracy;
    baseTokens ??= perQuestion;
    Console.WriteLine(Inv($"  {name,-56} {accuracy,9:P1} {(accuracy - baseAccuracy.Value) * 100,7:+0.0;-0.0}pp {perQuestion,9:0} {perQuestion / baseTokens.Value,8:0.00}x {(double)calls / count,8:0.00}"));
}

return exact == count ? 0 : 1;

static async Task<PlanningResult> Run<T>(Task<T> task)
    where T : PlanningResult => await task;

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

double ArgDouble(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
