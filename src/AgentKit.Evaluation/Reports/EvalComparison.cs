namespace AgentKit.Evaluation.Reports;

/// <summary>One metric against the baseline.</summary>
/// <param name="Metric">The metric (<c>pass_rate</c>, <c>pass_rate/GROUP</c>, <c>judge/METRIC</c>).</param>
/// <param name="Baseline">Its baseline value, or <see langword="null"/> when the baseline lacks it.</param>
/// <param name="Current">Its value now, or <see langword="null"/> when this run lacks it.</param>
/// <param name="Regressed">Whether it dropped by more than the tolerance (or vanished).</param>
public sealed record MetricChange(string Metric, double? Baseline, double? Current, bool Regressed)
{
    /// <summary>Current minus baseline, when both exist.</summary>
    public double? Delta => Baseline is { } b && Current is { } c ? c - b : null;
}

/// <summary>A run compared with a baseline run.</summary>
/// <param name="Baseline">The baseline.</param>
/// <param name="Tolerance">How far (absolute, on the 0–1 scale) a metric may drop before it counts as a regression.</param>
/// <param name="Changes">Every metric of either run.</param>
/// <param name="NewlyFailing">Cases that always passed in the baseline and now fail at least once.</param>
public sealed record EvalComparison(EvalBaseline Baseline, double Tolerance, IReadOnlyList<MetricChange> Changes, IReadOnlyList<string> NewlyFailing)
{
    /// <summary>The metrics that regressed.</summary>
    public IReadOnlyList<MetricChange> Regressions => [.. Changes.Where(c => c.Regressed)];

    /// <summary>Compares a report with a baseline.</summary>
    /// <param name="report">This run.</param>
    /// <param name="baseline">The baseline.</param>
    /// <param name="tolerance">The allowed drop, 0–1 (0.05 = five percentage points).</param>
    /// <returns>The comparison.</returns>
    public static EvalComparison Compare(EvalReport report, EvalBaseline baseline, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tolerance, 1);
        var current = report.Metrics;
        var changes = new List<MetricChange>();
        foreach (var name in current.Keys.Union(baseline.Metrics.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            double? b = baseline.Metrics.TryGetValue(name, out var bv) ? bv : null;
            double? c = current.TryGetValue(name, out var cv) ? cv : null;

            // A metric the baseline had and this run lost (a group emptied, the judge not run) is a regression too:
            // otherwise dropping the failing cases would pass the gate.
            var regressed = b is { } bb && (c is not { } cc || bb - cc > tolerance + 1e-12);
            changes.Add(new MetricChange(name, b, c, regressed));
        }

        var newlyFailing = report.Cases
            .Where(c => c.SuccessRate < 1 && baseline.CaseSuccessRates.TryGetValue(c.Id, out var was) && was >= 1)
            .Select(c => c.Id)
            .ToList();
        return new EvalComparison(baseline, tolerance, changes, newlyFailing);
    }
}
