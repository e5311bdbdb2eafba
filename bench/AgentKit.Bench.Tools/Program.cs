using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

// Per-call overhead of AgentKit's governed tool pipeline (allowlist, JSON-Schema and range checks, approval check,
// timeout with abandonment, result cap, telemetry) over calling the same AIFunction directly, measured in one run:
// rounds alternate between the two so both see the same machine state. `--smoke` runs a few rounds to prove it works.
var smoke = args.Contains("--smoke");
var rounds = smoke ? 3 : 30;
var callsPerRound = smoke ? 2_000 : 20_000;
const double TargetMicroseconds = 50;

var tool = AIFunctionFactory.Create(
    (string sku, int quantity, bool expedite) => $"reserved {quantity} x {sku}{(expedite ? " (expedited)" : "")}",
    "reserve_stock",
    "Reserves units of a product.");
var governed = new ToolGovernor([tool]).Tools[0];

// Arguments as the model loop receives them: JSON values parsed from the model's call.
using var json = JsonDocument.Parse("""{"sku": "A-1", "quantity": 3, "expedite": false}""");
var arguments = new AIFunctionArguments(json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()));

var check = await governed.InvokeGovernedAsync(arguments);
if (!check.Succeeded || check.Text != "reserved 3 x A-1" || await tool.InvokeAsync(arguments) is not JsonElement { ValueKind: JsonValueKind.String } direct0 || direct0.GetString() != check.Text)
{
    Console.Error.WriteLine($"The governed call did not return what the direct call does: {check}");
    return 1;
}

// Warm-up: both paths tiered up before timing.
await Measure(false, callsPerRound);
await Measure(true, callsPerRound);

var direct = new List<double>();
var pipeline = new List<double>();
for (var round = 0; round < rounds; round++)
{
    direct.Add(await Measure(false, callsPerRound));
    pipeline.Add(await Measure(true, callsPerRound));
}

var directMedian = Median(direct);
var governedMedian = Median(pipeline);
var overhead = governedMedian - directMedian;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mode: {(smoke ? "smoke" : "full")}, {rounds} rounds x {callsPerRound} calls, median per call"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"direct AIFunction.InvokeAsync:     {directMedian,10:0.000} µs"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"governed (ToolGovernor pipeline):  {governedMedian,10:0.000} µs"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead per call:                 {overhead,10:0.000} µs (ratio {governedMedian / directMedian:0.00}x; target <= {TargetMicroseconds} µs: {(overhead <= TargetMicroseconds ? "met" : "NOT met")})"));
return 0;

async Task<double> Measure(bool throughPipeline, int calls)
{
    var started = Stopwatch.GetTimestamp();
    for (var i = 0; i < calls; i++)
    {
        _ = throughPipeline
            ? (await governed.InvokeGovernedAsync(arguments).ConfigureAwait(false)).Text
            : await tool.InvokeAsync(arguments).ConfigureAwait(false);
    }

    return Stopwatch.GetElapsedTime(started).TotalMicroseconds / calls;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
