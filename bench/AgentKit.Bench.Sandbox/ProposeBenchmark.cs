using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentKit.Sandbox;
using AgentKit.Sandbox.Making;
using Microsoft.Extensions.Options;

/// <summary>
/// <c>--propose</c>: the latency of making a tool (<c>ToolMaker.ProposeAsync</c>: field checks, schema compile, each
/// example's input validated and run in the sandbox, the result compared, the version written to a SQLite file) against
/// the baseline of only running its examples in the same sandbox, alternating in one run.
/// </summary>
internal static class ProposeBenchmark
{
    private const string Body = "return input.celsius * 9 / 5 + 32;";

    public static async Task<int> RunAsync(bool smoke)
    {
        var rounds = smoke ? 2 : 10;
        var perRound = smoke ? 10 : 50;
        var folder = Directory.CreateTempSubdirectory("agentkit-bench-propose-").FullName;
        try
        {
            using var sandbox = new JavaScriptSandbox();
            var options = Options.Create(new ToolMakingOptions { Path = Path.Combine(folder, "made-tools.db"), MaxTools = 1_000_000 });
            var maker = new ToolMaker(new MadeToolStore(options.Value.Path!), sandbox, options);
            var schema = Json("""{"type":"object","properties":{"celsius":{"type":"number"}},"required":["celsius"]}""");
            MadeToolExample[] examples = [new(Json("""{"celsius":100}"""), Json("212")), new(Json("""{"celsius":-40}"""), Json("-40"))];
            var program = "(function (input) { " + Body + "\n}).call(undefined, input);";

            var propose = new List<double>();
            var examplesOnly = new List<double>();
            var n = 0;
            for (var round = 0; round < rounds + 1; round++)
            {
                for (var i = 0; i < perRound; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    foreach (var example in examples)
                    {
                        await sandbox.RunAsync(new SandboxRequest(program) { Input = example.Input });
                    }

                    var baseline = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    started = Stopwatch.GetTimestamp();
                    await maker.ProposeAsync(new MadeToolProposal($"tool_{n++}", "Converts Celsius to Fahrenheit.", schema, Body, examples), "bench");
                    var made = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

                    // Round 0 warms both paths up.
                    if (round > 0)
                    {
                        examplesOnly.Add(baseline);
                        propose.Add(made);
                    }
                }
            }

            var baseP50 = Percentile(examplesOnly, 0.5);
            var proposeP50 = Percentile(propose, 0.5);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"proposals: {propose.Count} (2 examples each, {rounds} rounds){(smoke ? " [smoke]" : "")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"examples only (2 sandboxed runs): p50 {baseP50:0.000} ms, p99 {Percentile(examplesOnly, 0.99):0.000} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"propose_tool (checks + runs + store): p50 {proposeP50:0.000} ms, p99 {Percentile(propose, 0.99):0.000} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio p50: {proposeP50 / baseP50:0.00}x (checks and the SQLite write: {proposeP50 - baseP50:0.000} ms)"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
