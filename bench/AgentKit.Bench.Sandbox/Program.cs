using System.Diagnostics;
using System.Globalization;
using AgentKit.Sandbox;
using Jint;

// Overhead of starting a sandboxed run (fresh limited engine on its own thread, globals, result as JSON) over a raw
// `new Engine().Evaluate` of the same program, measured in one run with the two alternating per round. Target: the
// sandboxed run's p50 ≤ 5 ms. `--smoke` runs a few rounds to prove it works.
// `--propose` times making a tool instead (ProposeBenchmark).
var smoke = args.Contains("--smoke");
if (args.Contains("--propose"))
{
    return await ProposeBenchmark.RunAsync(smoke);
}

var rounds = smoke ? 3 : 20;
var runsPerRound = smoke ? 20 : 200;
const double TargetMilliseconds = 5;
const string Program = "const xs = [3, 1, 2]; console.log(xs.sort().join(',')); xs.reduce((a, b) => a + b, 0)";

using var sandbox = new JavaScriptSandbox();
var check = await sandbox.RunAsync(new SandboxRequest(Program));
if (check.Output != "1,2,3\n" || check.Result != "6")
{
    Console.Error.WriteLine($"The sandboxed program did not give what it should: {check}");
    return 1;
}

var raw = new List<double>();
var sandboxed = new List<double>();
for (var round = 0; round < rounds + 1; round++)
{
    var rawRound = new List<double>();
    var sandboxedRound = new List<double>();
    for (var i = 0; i < runsPerRound; i++)
    {
        var started = Stopwatch.GetTimestamp();
        using (var engine = new Engine())
        {
            engine.SetValue("console", new { log = new Action<object>(_ => { }) });
            engine.Evaluate(Program);
        }

        rawRound.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        started = Stopwatch.GetTimestamp();
        await sandbox.RunAsync(new SandboxRequest(Program));
        sandboxedRound.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    // Round 0 warms both paths up.
    if (round > 0)
    {
        raw.AddRange(rawRound);
        sandboxed.AddRange(sandboxedRound);
    }
}

var rawP50 = Percentile(raw, 0.5);
var sandboxedP50 = Percentile(sandboxed, 0.5);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs: {sandboxed.Count} per path ({rounds} rounds){(smoke ? " [smoke]" : "")}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw new Engine().Evaluate: p50 {rawP50:0.000} ms, p99 {Percentile(raw, 0.99):0.000} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sandboxed run:             p50 {sandboxedP50:0.000} ms, p99 {Percentile(sandboxed, 0.99):0.000} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead p50: {sandboxedP50 - rawP50:0.000} ms ({sandboxedP50 / rawP50:0.00}x); target sandboxed p50 <= {TargetMilliseconds} ms: {(sandboxedP50 <= TargetMilliseconds ? "met" : "NOT met")}"));
return 0;

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
