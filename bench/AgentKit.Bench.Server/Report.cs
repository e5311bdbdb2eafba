using System.Globalization;

namespace AgentKit.Bench.Server;

/// <summary>Prints a phase's figures as Markdown tables, ready for docs/benchmarks.md.</summary>
internal static class Report
{
    private const double TargetP99Ms = 50;

    private static readonly (RequestKind Kind, string Name)[] Rows =
    [
        (RequestKind.CreateSession, "  POST /api/sessions"),
        (RequestKind.Message, "  POST …/messages (JSON)"),
        (RequestKind.StreamingMessage, "  POST …/messages (SSE, to the last event)"),
        (RequestKind.DeleteSession, "  DELETE /api/sessions/{id}"),
    ];

    /// <summary>The whole phase by request kind, with the same-run baseline and the ratios.</summary>
    public static void WriteSummary(TextWriter output, LoadResults results, BenchOptions options, long warmUpErrors)
    {
        var agentKit = LoadResults.AgentKit(results.Total);
        var baseline = results.Total[(int)RequestKind.Baseline];
        var seconds = results.Elapsed.TotalSeconds;
        output.WriteLine();
        output.WriteLine(Invariant($"Measured {seconds:F1} s; sessions created: {results.Sessions}; errors: {results.ErrorCount} (warm-up: {warmUpErrors}); refused with 429: {results.RefusedTotal}"));
        output.WriteLine();
        output.WriteLine("| Requests | Count (2xx) | 429 | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Row(output, "AgentKit, all", agentKit, Rows.Sum(r => results.Refused(r.Kind)), seconds);
        foreach (var (kind, name) in Rows.Where(r => results.Total[(int)r.Kind].Count + results.Refused(r.Kind) > 0))
        {
            Row(output, name, results.Total[(int)kind], results.Refused(kind), seconds);
        }

        Row(output, "Baseline: trivial minimal API, same server, interleaved", baseline, results.Refused(RequestKind.Baseline), seconds);
        output.WriteLine();
        var p99 = agentKit.Percentile(0.99);
        output.WriteLine(Invariant($"AgentKit / baseline: p50 {Ratio(agentKit.Percentile(0.50), baseline.Percentile(0.50))}, p99 {Ratio(p99, baseline.Percentile(0.99))}"));
        if (options.Mode != BenchMode.Llama)
        {
            output.WriteLine(Invariant($"Target p99 <= {TargetP99Ms} ms with {options.Sessions} sessions: {(p99 <= TargetP99Ms ? "met" : "NOT met")} ({p99:F1} ms)"));
        }

        foreach (var error in results.Errors)
        {
            output.WriteLine($"error: {error}");
        }
    }

    /// <summary>One row per time window: AgentKit latency and throughput, and the baseline's p99 in the same window.</summary>
    public static void WriteWindows(TextWriter output, LoadResults results)
    {
        var width = results.WindowWidth.TotalSeconds;
        output.WriteLine();
        output.WriteLine(Invariant($"Per window of {width:0} s (by request start):"));
        output.WriteLine();
        output.WriteLine("| Window | AgentKit requests | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | baseline p99 (ms) | p99 / baseline |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < results.WindowCount; i++)
        {
            var window = results.Window(i);
            var agentKit = LoadResults.AgentKit(window);
            var baseline = window[(int)RequestKind.Baseline];

            output.WriteLine(Invariant(
                $"| {i * width:0}–{(i + 1) * width:0} s | {agentKit.Count:N0} | {agentKit.Count / width:N0} | {agentKit.Percentile(0.50):F1} | {agentKit.Percentile(0.95):F1} | {agentKit.Percentile(0.99):F1} | {baseline.Percentile(0.99):F1} | {Ratio(agentKit.Percentile(0.99), baseline.Percentile(0.99))} |"));
        }
    }

    /// <summary>The memory samples, the fitted trend and the verdict; returns whether the trend passed.</summary>
    public static bool WriteMemory(TextWriter output, IReadOnlyList<MemorySample> samples, BenchOptions options)
    {
        output.WriteLine();
        output.WriteLine(Invariant($"Memory every {options.SampleInterval.TotalSeconds:0} s, after a forced full compacting collection (server and load generator, one process):"));
        output.WriteLine();
        output.WriteLine("| t (s) | phase | GC heap (MB) | of which LOH | of which POH | RSS (MB) |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (var sample in samples)
        {
            output.WriteLine(Invariant($"| {sample.At.TotalSeconds:F0} | {(sample.Measured ? "measured" : "warm-up")} | {sample.HeapMb:F1} | {sample.LargeMb:F1} | {sample.PinnedMb:F1} | {sample.RssMb:F1} |"));
        }

        var trend = MemoryTrend.Fit(samples, options.Window);
        var slopeOk = trend.HeapMbPerMinute < options.MaxGrowthMbPerMinute;
        var changeOk = Math.Abs(trend.HeapChange) * 100 <= options.MaxHeapChangePercent;
        output.WriteLine();
        output.WriteLine(Invariant(
            $"GC heap trend after warm-up ({trend.Samples} samples): {trend.HeapMbPerMinute:+0.000;-0.000} MB/min (Theil–Sen) (limit < {options.MaxGrowthMbPerMinute} MB/min): {(slopeOk ? "PASS" : "FAIL")}"));
        output.WriteLine(Invariant(
            $"GC heap, last window vs first (medians): {trend.LastWindowHeapMb:F1} MB vs {trend.FirstWindowHeapMb:F1} MB ({trend.HeapChange * 100:+0.0;-0.0} %, limit {options.MaxHeapChangePercent} %): {(changeOk ? "PASS" : "FAIL")}"));
        output.WriteLine(Invariant($"RSS trend after warm-up: {trend.RssMbPerMinute:+0.000;-0.000} MB/min (reported, not judged: the runtime keeps freed pages for reuse)"));
        output.WriteLine($"Memory: {(slopeOk && changeOk ? "PASS" : "FAIL")}");
        return slopeOk && changeOk;
    }

    private static void Row(TextWriter output, string name, LatencyHistogram values, long refused, double seconds) =>
        output.WriteLine(Invariant(
            $"| {name} | {values.Count:N0} | {refused:N0} | {values.Count / seconds:N0} | {values.Percentile(0.50):F1} | {values.Percentile(0.95):F1} | {values.Percentile(0.99):F1} | {values.Max:F1} |"));

    private static string Ratio(double value, double baseline) => Invariant($"{value / baseline:F1}x");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
