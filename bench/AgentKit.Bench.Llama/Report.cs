namespace AgentKit.Bench.Llama;

/// <summary>Medians of the runs, the ratios and the issue #2 targets, printed as a Markdown table.</summary>
internal sealed class Report(IReadOnlyList<WorkerResult> results, string? nodeUnavailable, string? aotUnavailable)
{
    public const double MinThroughputRatio = 0.97;
    public const double MaxMultiToSequential = 0.40;
    public const double MaxExtraRssMb = 50;

    public static string SideName(string side) => side switch
    {
        "c" => "C",
        "agentkit" => "AgentKit",
        "aot" => "AgentKit AOT",
        "node" => "node-llama-cpp",
        _ => side,
    };

    public static string FormatFigure(WorkerResult result) =>
        Workload.IsRate(result.Mode) ? Invariant.Str($"{result.TokensPerSecond,8:F1} tok/s") : Invariant.Str($"{result.Seconds,8:F2} s    ");

    public void Print(TextWriter output)
    {
        var failures = 0;
        output.WriteLine("| workload | C | AgentKit | AgentKit NativeAOT | node-llama-cpp | AgentKit vs C | target | result |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var workload in new[] { Workload.PromptProcessing, Workload.Generation })
        {
            var c = Median("c", workload, r => r.Figure);
            var agentKit = Median("agentkit", workload, r => r.Figure);
            var ratio = agentKit / c;
            var pass = ratio >= MinThroughputRatio;
            failures += pass ? 0 : 1;
            output.WriteLine(Invariant.Str($"| {workload} (tok/s) | {c:F1} | {agentKit:F1} | {Cell("aot", workload, "F1")} | {Cell("node", workload, "F1")} | {ratio:F3}x | ≥ {MinThroughputRatio:F2}x | {Verdict(pass)} |"));
        }

        foreach (var workload in new[] { Workload.Multi, Workload.Sequential })
        {
            var c = Median("c", workload, r => r.Figure);
            var agentKit = Median("agentkit", workload, r => r.Figure);
            var name = workload == Workload.Multi ? "multi 8×128, shared 512 prompt (s)" : "seq 8×128, 512 prompt each (s)";
            output.WriteLine(Invariant.Str($"| {name} | {c:F2} | {agentKit:F2} | {Cell("aot", workload, "F2")} | – | {agentKit / c:F3}x time | – | – |"));
        }

        var cShare = Median("c", Workload.Multi, r => r.Seconds) / Median("c", Workload.Sequential, r => r.Seconds);
        var agentKitShare = Median("agentkit", Workload.Multi, r => r.Seconds) / Median("agentkit", Workload.Sequential, r => r.Seconds);
        var sharePass = agentKitShare <= MaxMultiToSequential;
        failures += sharePass ? 0 : 1;
        output.WriteLine(Invariant.Str($"| multi / seq time | {cShare:F3}x | {agentKitShare:F3}x | {AotShare()} | – | – | AgentKit ≤ {MaxMultiToSequential:F2}x | {Verdict(sharePass)} |"));

        // Peak RSS: per workload, AgentKit's median against the C program's; the worst workload counts. Shown for the
        // default (JIT) deployment and, when measured, for the same worker compiled with NativeAOT.
        foreach (var side in new[] { "agentkit", "aot" }.Where(HasResults))
        {
            var worst = Workload.All.Select(w => (Workload: w, C: Median("c", w, r => r.RssMb), AgentKit: Median(side, w, r => r.RssMb)))
                .MaxBy(x => x.AgentKit - x.C);
            var extra = worst.AgentKit - worst.C;
            var rssPass = extra <= MaxExtraRssMb;
            failures += rssPass ? 0 : 1;
            var cells = side == "agentkit"
                ? Invariant.Str($"{worst.AgentKit:F0} | {Cell("aot", worst.Workload, "F0", r => r.RssMb)} | {Cell("node", worst.Workload, "F0", r => r.RssMb)}")
                : Invariant.Str($"– | {worst.AgentKit:F0} | –");
            output.WriteLine(Invariant.Str($"| peak RSS {(side == "aot" ? "NativeAOT" : "JIT")}, {worst.Workload} (MB) | {worst.C:F0} | {cells} | {extra:+0;-0} MB | ≤ C + {MaxExtraRssMb:F0} MB | {Verdict(rssPass)} |"));
        }

        output.WriteLine();
        output.WriteLine("Peak RSS per workload (MB, median of the runs; VmHWM of each worker process):");
        output.WriteLine();
        output.WriteLine("| workload | C | AgentKit | AgentKit NativeAOT | node-llama-cpp | AgentKit − C | NativeAOT − C |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var workload in Workload.All)
        {
            var c = Median("c", workload, r => r.RssMb);
            var agentKit = Median("agentkit", workload, r => r.RssMb);
            var aot = HasResults("aot") ? Invariant.Str($"{Median("aot", workload, r => r.RssMb) - c:+0;-0}") : "–";
            output.WriteLine(Invariant.Str($"| {workload} | {c:F0} | {agentKit:F0} | {Cell("aot", workload, "F0", r => r.RssMb)} | {Cell("node", workload, "F0", r => r.RssMb)} | {agentKit - c:+0;-0} | {aot} |"));
        }

        output.WriteLine();
        var mismatches = Workload.All.Where(w => Checksums("c", w).Concat(Checksums("agentkit", w)).Concat(Checksums("aot", w)).Distinct(StringComparer.Ordinal).Count() > 1).ToArray();
        output.WriteLine(mismatches.Length == 0
            ? "Generated tokens: AgentKit (JIT and NativeAOT) and the C program produced the same token ids in every workload."
            : $"Generated tokens: AgentKit and the C program produced DIFFERENT token ids in {string.Join(", ", mismatches)} (the two sides did not do the same work).");
        failures += mismatches.Length;
        output.WriteLine(nodeUnavailable is null ? "node-llama-cpp@3.22.1: measured (pp512, tg128)." : $"node-llama-cpp@3.22.1: not measured: {nodeUnavailable}.");
        output.WriteLine(aotUnavailable is null ? "AgentKit NativeAOT: measured (the same worker code, published with PublishAot)." : $"AgentKit NativeAOT: not measured: {aotUnavailable}.");
        output.WriteLine(failures == 0 ? "All targets met." : Invariant.Str($"{failures} target(s) missed."));
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    private bool HasResults(string side) => results.Any(r => r.Side == side);

    private string Cell(string side, string workload, string format, Func<WorkerResult, double>? pick = null)
    {
        var values = results.Where(r => r.Side == side && r.Mode == workload).Select(pick ?? (r => r.Figure)).ToArray();
        return values.Length == 0 ? "–" : Median(values).ToString(format, System.Globalization.CultureInfo.InvariantCulture);
    }

    private string AotShare() =>
        HasResults("aot") ? Invariant.Str($"{Median("aot", Workload.Multi, r => r.Seconds) / Median("aot", Workload.Sequential, r => r.Seconds):F3}x") : "–";

    private IEnumerable<string> Checksums(string side, string workload) =>
        results.Where(r => r.Side == side && r.Mode == workload).Select(r => r.Checksum);

    private double Median(string side, string workload, Func<WorkerResult, double> pick)
    {
        var values = results.Where(r => r.Side == side && r.Mode == workload).Select(pick).ToArray();
        return values.Length == 0
            ? throw new BenchException($"No {SideName(side)} result for {workload}.")
            : Median(values);
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
