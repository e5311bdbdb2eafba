using AgentKit.Bench.Cost;

// Cost benchmarks (issue #16): the completion cache and the model cascade.
// Usage: dotnet bench/AgentKit.Bench.Cost/bin/Release/net10.0/AgentKit.Bench.Cost.dll [cache|cascade|all] [--entries 100000] [--half-b] [--latency-only] [--thresholds 0.85,0.90 (hit-rate thresholds; default six)] [--tokens 32 (0: no local model)] [--questions 250] [--svg docs/images/cost-cascade.svg]
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var folder = Directory.CreateTempSubdirectory("agentkit-bench-cost-").FullName;
try
{
    if (mode is "cache" or "all")
    {
        var thresholds = ArgText("--thresholds", "") is { Length: > 0 } list
            ? list.Split(',').Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList()
            : null;
        await CacheBenchmark.RunAsync(folder, Arg("--entries", 100_000), args.Contains("--half-b"), Arg("--tokens", 32), args.Contains("--latency-only"), thresholds);
    }

    if (mode is "cascade" or "all")
    {
        await CascadeBenchmark.RunAsync(Arg("--questions", 250), ArgText("--svg", "cost-cascade.svg"));
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

int Arg(string name, int fallback) => int.TryParse(ArgText(name, ""), out var value) ? value : fallback;

string ArgText(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
