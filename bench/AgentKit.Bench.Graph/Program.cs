using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentKit.Graph.Communities;
using AgentKit.Testing.Graphs;

// Community detection figures for issue #20. Usage: AgentKit.Bench.Graph --mode communities [--seeds N] [--no-reference]
// Graphs: Zachary's karate club and planted-partition graphs drawn with fixed seeds (one above 100k edges). Each
// graph runs AgentKit's Leiden and Louvain with seeds 0..N-1; the edge lists are written to a temp folder and
// reference/networkx_reference.py runs networkx's louvain_communities on the same files with the same seeds in
// this run. Printed: modularity (mean, min..max over seeds), the difference to networkx, ARI against the planted
// groups, and time per run.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var mode = Option("--mode") ?? "communities";
if (mode != "communities")
{
    Console.Error.WriteLine($"Unknown --mode '{mode}'; the one mode is communities.");
    return 2;
}

var seeds = int.Parse(Option("--seeds") ?? "3", CultureInfo.InvariantCulture);
var withReference = !args.Contains("--no-reference");
var cases = new (string Name, int NodeCount, IReadOnlyList<(int A, int B)> Edges, IReadOnlyList<int>? Truth)[]
{
    ("karate", KarateClub.NodeCount, KarateClub.Edges, null),
    Planted("planted-10x100", PlantedPartition.Generate(10, 100, 0.1, 0.005, seed: 1)),
    Planted("planted-20x1000", PlantedPartition.Generate(20, 1000, 0.01, 0.0001, seed: 3)),
};

var folder = Path.Combine(Path.GetTempPath(), "agentkit-bench-graph-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
try
{
    Console.WriteLine($"# Community detection: {Environment.ProcessorCount} cores, .NET {Environment.Version}, seeds 0..{seeds - 1}, reference networkx louvain_communities (resolution 1, threshold 1e-7)");
    foreach (var (name, nodeCount, edges, _) in cases)
    {
        await File.WriteAllLinesAsync(Path.Combine(folder, name + ".edges"), [$"# nodes {nodeCount}", .. edges.Select(e => $"{e.A} {e.B} 1")]);
    }

    var reference = withReference ? await RunReferenceAsync(folder, seeds) : null;
    Console.WriteLine();
    Console.WriteLine("| graph | nodes | edges | detector | modularity mean (min..max) | communities | ARI vs planted (min) | ms per run | Q − networkx | networkx time / this time |");
    Console.WriteLine("|---|---:|---:|---|---|---:|---:|---:|---:|---:|");
    var failures = new List<string>();
    foreach (var (name, nodeCount, edges, truth) in cases)
    {
        var graph = new WeightedGraph(nodeCount);
        foreach (var (a, b) in edges)
        {
            graph.AddEdge(a, b);
        }

        var edgeCount = graph.EdgeCount;
        var networkx = reference?.GetValueOrDefault(name);
        foreach (var algorithm in new[] { CommunityAlgorithm.Leiden, CommunityAlgorithm.Louvain })
        {
            var runs = new List<(double Q, int K, double Ari, double Ms)>();
            for (var seed = 0; seed < seeds; seed++)
            {
                var watch = Stopwatch.StartNew();
                var result = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Algorithm = algorithm, Seed = seed });
                watch.Stop();
                runs.Add((result.Modularity, result.CommunityCount, truth is null ? double.NaN : PartitionSimilarity.AdjustedRandIndex(truth, result.Membership), watch.Elapsed.TotalMilliseconds));
            }

            var q = runs.Average(r => r.Q);
            var ms = runs.Average(r => r.Ms);
            var difference = networkx is null ? "n/a" : $"{q - networkx.MeanModularity:+0.0000;-0.0000}";
            var ratio = networkx is null ? "n/a" : $"{networkx.MeanSeconds * 1000 / ms:F1}";
            var ari = truth is null ? "–" : $"{runs.Average(r => r.Ari):F4} ({runs.Min(r => r.Ari):F4})";
            Console.WriteLine($"| {name} | {nodeCount} | {edgeCount} | AgentKit {algorithm} | {q:F4} ({runs.Min(r => r.Q):F4}..{runs.Max(r => r.Q):F4}) | {runs.Average(r => r.K):F1} | {ari} | {ms:F1} | {difference} | {ratio} |");
            if (networkx is not null && q < networkx.MeanModularity - 0.01)
            {
                failures.Add($"{name} {algorithm}: modularity {q:F4} is more than 0.01 below networkx's {networkx.MeanModularity:F4}");
            }

            if (algorithm == CommunityAlgorithm.Leiden && truth is not null && runs.Min(r => r.Ari) < 0.9)
            {
                failures.Add($"{name} Leiden: ARI {runs.Min(r => r.Ari):F4} below 0.9");
            }
        }

        if (networkx is not null)
        {
            Console.WriteLine($"| {name} | {nodeCount} | {networkx.Edges} | networkx {networkx.Version} louvain | {networkx.MeanModularity:F4} ({networkx.Modularity.Min():F4}..{networkx.Modularity.Max():F4}) | {networkx.Communities.Average():F1} | – | {networkx.MeanSeconds * 1000:F1} | baseline | 1 |");
        }
    }

    Console.WriteLine();
    Console.WriteLine(failures.Count == 0
        ? $"targets: Leiden ARI ≥ 0.9 on every planted graph; {(reference is null ? "no networkx reference in this run" : "modularity never more than 0.01 below networkx")}: met"
        : "targets missed:" + Environment.NewLine + string.Join(Environment.NewLine, failures.Select(f => "  " + f)));
    return failures.Count == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(folder, recursive: true);
}

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static (string, int, IReadOnlyList<(int A, int B)>, IReadOnlyList<int>?) Planted(string name, PlantedPartition graph) =>
    (name, graph.NodeCount, graph.Edges, graph.Truth);

static async Task<Dictionary<string, NetworkxResult>?> RunReferenceAsync(string folder, int seeds)
{
    var script = Path.Combine(AppContext.BaseDirectory, "reference", "networkx_reference.py");
    var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in new[] { script, folder, seeds.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(argument);
    }

    Process? process;
    try
    {
        process = Process.Start(start);
    }
    catch (System.ComponentModel.Win32Exception e)
    {
        Console.WriteLine($"# networkx reference not run: python3 could not start ({e.Message}); install python3-networkx");
        return null;
    }

    using (process)
    {
        Console.WriteLine($"# networkx reference: python3 {script} (running; large graphs take tens of seconds per seed)");
        var errors = process!.StandardError.ReadToEndAsync();
        var results = new Dictionary<string, NetworkxResult>();
        string? version = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.TryGetProperty("networkx", out var v))
            {
                version = v.GetString();
                continue;
            }

            var result = new NetworkxResult(
                root.GetProperty("edges").GetInt32(),
                [.. root.GetProperty("modularity").EnumerateArray().Select(e => e.GetDouble())],
                [.. root.GetProperty("communities").EnumerateArray().Select(e => e.GetInt32())],
                [.. root.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble())]);
            results[root.GetProperty("graph").GetString()!] = result;
        }

        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"# networkx reference failed (exit {process.ExitCode}): {(await errors).Trim()}");
            return null;
        }

        foreach (var key in results.Keys)
        {
            results[key] = results[key] with { Version = version ?? "?" };
        }

        return results;
    }
}

internal sealed record NetworkxResult(int Edges, double[] Modularity, int[] Communities, double[] Seconds)
{
    public string Version { get; init; } = "?";

    public double MeanModularity => Modularity.Average();

    public double MeanSeconds => Seconds.Average();
}
