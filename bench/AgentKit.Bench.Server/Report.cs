using System.Globalization;

namespace AgentKit.Bench.Server;

/// <summary>Prints a phase's figures as a Markdown table, ready for docs/benchmarks.md.</summary>
internal static class Report
{
    private const double TargetP99Ms = 50;

    public static void Write(TextWriter output, LoadResults results, BenchOptions options, int warmUpErrors)
    {
        var agentKit = results.Latencies.Where(l => l.Key != RequestKind.Baseline).SelectMany(l => l.Value).ToList();
        var baseline = results.Latencies[RequestKind.Baseline];
        var seconds = results.Elapsed.TotalSeconds;
        output.WriteLine();
        output.WriteLine(Invariant($"Measured {seconds:F1} s; sessions created: {results.Sessions}; errors: {results.Errors.Count} (warm-up: {warmUpErrors})"));
        output.WriteLine();
        output.WriteLine("| Requests | Count | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Row(output, "AgentKit, all", agentKit, seconds);
        Row(output, "  POST /api/sessions", results.Latencies[RequestKind.CreateSession], seconds);
        Row(output, "  POST …/messages (JSON)", results.Latencies[RequestKind.Message], seconds);
        Row(output, "  POST …/messages (SSE, to the last event)", results.Latencies[RequestKind.StreamingMessage], seconds);
        Row(output, "Baseline: trivial minimal API, same server, interleaved", baseline, seconds);
        output.WriteLine();
        var p99 = Percentile(agentKit, 0.99);
        output.WriteLine(Invariant($"AgentKit / baseline: p50 {Ratio(Percentile(agentKit, 0.50), Percentile(baseline, 0.50))}, p99 {Ratio(p99, Percentile(baseline, 0.99))}"));
        output.WriteLine(Invariant($"Target p99 <= {TargetP99Ms} ms with {options.Sessions} sessions: {(p99 <= TargetP99Ms ? "met" : "NOT met")} ({p99:F1} ms)"));
        foreach (var error in results.Errors.Take(10))
        {
            output.WriteLine($"error: {error}");
        }
    }

    private static void Row(TextWriter output, string name, List<double> values, double seconds) =>
        output.WriteLine(Invariant(
            $"| {name} | {values.Count:N0} | {values.Count / seconds:N0} | {Percentile(values, 0.50):F1} | {Percentile(values, 0.95):F1} | {Percentile(values, 0.99):F1} | {(values.Count == 0 ? 0 : values.Max()):F1} |"));

    private static double Percentile(List<double> values, double quantile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Ratio(double value, double baseline) => Invariant($"{value / baseline:F1}x");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
