using System.Globalization;
using System.Net;
using System.Text;

namespace AgentKit.Evaluation.Reports;

/// <summary>
/// Writes a report as one self-contained HTML page (no scripts, no external files): the totals, inline SVG charts of
/// the pass rate per group (with the baseline's beside it), the latency and cost distributions, the comparison with
/// the baseline, and every case with why it failed.
/// </summary>
public static class HtmlReportWriter
{
    private const int ChartWidth = 640;

    /// <summary>Renders the page.</summary>
    /// <param name="report">The run.</param>
    /// <param name="comparison">The comparison with a baseline, or <see langword="null"/>.</param>
    /// <returns>The HTML.</returns>
    public static string Render(EvalReport report, EvalComparison? comparison = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        var totals = report.Totals;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>agentkit eval: ").Append(E(report.Target)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}")
            .Append("table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}")
            .Append(".pass{color:#15803d;font-weight:600}.fail{color:#b91c1c;font-weight:600}.kpi{display:inline-block;margin-right:2rem}.kpi b{display:block;font-size:1.5rem}")
            .Append("svg text{font-size:11px;font-family:system-ui,sans-serif}.muted{color:#666}code{font-size:.8rem}</style></head><body>\n");
        html.Append("<h1>agentkit eval — ").Append(E(report.Target)).Append("</h1>\n<p class=\"muted\">Dataset ").Append(E(report.Dataset))
            .Append(report.Model is null ? "" : " · model " + E(report.Model)).Append(report.Judge is null ? "" : " · judge " + E(report.Judge))
            .Append(" · ").Append(report.StartedAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append(F($" · {report.Repeat} run(s) per case · {report.DurationMs / 1000:0.0} s</p>\n"));
        html.Append("<div id=\"totals\">")
            .Append(Kpi("Pass rate", Pct(totals.PassRate), F($"95% CI {Pct(totals.Low)}–{Pct(totals.High)}")))
            .Append(Kpi("Runs passed", F($"{totals.PassedRuns}/{totals.Runs}"), F($"{totals.Cases} cases")))
            .Append(Kpi("Overhead per run", F($"{report.MeanOverheadMs:0.0} ms"), "outside model calls"))
            .Append(Kpi("Model calls", F($"{report.Cases.Sum(c => c.Runs.Sum(r => r.ModelCalls))}"), F($"{report.Cases.Sum(c => c.Runs.Sum(r => r.CacheHits))} from cache")))
            .Append("</div>\n");

        html.Append("<h2>Pass rate per group</h2>\n").Append(GroupChart(report, comparison));
        var runs = report.Cases.SelectMany(c => c.Runs).ToList();
        html.Append("<h2>Latency per run</h2>\n").Append(Histogram("latency", runs.Select(r => r.LatencyMs).ToList(), "ms", "#2563eb"));
        var costs = runs.Any(r => r.Cost is not null)
            ? (Values: runs.Select(r => (double)(r.Cost ?? 0)).ToList(), Unit: "cost")
            : (Values: runs.Select(r => (double)(r.InputTokens + r.OutputTokens)).ToList(), Unit: "tokens");
        html.Append("<h2>Cost per run (").Append(costs.Unit).Append(")</h2>\n").Append(Histogram("cost", costs.Values, costs.Unit, "#9333ea"));

        if (comparison is not null)
        {
            html.Append("<h2>Compared with the baseline</h2>\n<p class=\"muted\">").Append(E(comparison.Baseline.Path))
                .Append(F($" · tolerance {comparison.Tolerance:0.###}</p>\n<table id=\"comparison\"><tr><th>Metric</th><th>Baseline</th><th>Now</th><th>Change</th><th></th></tr>\n"));
            foreach (var change in comparison.Changes)
            {
                html.Append("<tr><td>").Append(E(change.Metric)).Append("</td><td>").Append(change.Baseline is { } b ? Pct(b) : "–").Append("</td><td>")
                    .Append(change.Current is { } c ? Pct(c) : "–").Append("</td><td>").Append(change.Delta is { } d ? F($"{d * 100:+0.0;-0.0;0.0} pp") : "–")
                    .Append("</td><td>").Append(change.Regressed ? "<span class=\"fail\">regressed</span>" : "").Append("</td></tr>\n");
            }

            html.Append("</table>\n");
            if (comparison.NewlyFailing.Count > 0)
            {
                html.Append("<p>Newly failing: ").Append(E(string.Join(", ", comparison.NewlyFailing))).Append("</p>\n");
            }
        }

        html.Append("<h2>Cases</h2>\n<table id=\"cases\"><tr><th>Case</th><th>Group</th><th>Passed</th><th>Latency</th><th>Why not</th></tr>\n");
        foreach (var c in report.Cases)
        {
            var failures = c.Runs.SelectMany(r => (r.Error is null ? [] : new[] { r.Error }).Concat(r.Results.Where(x => !x.Passed).Select(x => $"{x.Expectation}: {x.Detail}"))).Distinct(StringComparer.Ordinal).Take(5);
            html.Append("<tr><td><code>").Append(E(c.Id)).Append("</code></td><td>").Append(E(c.Group)).Append("</td><td class=\"").Append(c.SuccessRate >= 1 ? "pass" : "fail").Append("\">")
                .Append(F($"{c.PassedRuns}/{c.Runs.Count}")).Append("</td><td>").Append(F($"{c.Runs.Average(r => r.LatencyMs):0} ms")).Append("</td><td>")
                .Append(string.Join("<br>", failures.Select(E))).Append("</td></tr>\n");
        }

        html.Append("</table>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>Writes the page to a file.</summary>
    /// <param name="path">The file; its folder is created.</param>
    /// <param name="report">The run.</param>
    /// <param name="comparison">The comparison with a baseline, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public static async Task WriteAsync(string path, EvalReport report, EvalComparison? comparison = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, Render(report, comparison), Encoding.UTF8, cancellationToken).ConfigureAwait(false);
    }

    private static string GroupChart(EvalReport report, EvalComparison? comparison)
    {
        const int row = 26;
        const int label = 170;
        var groups = report.Groups.ToList();
        var bar = ChartWidth - label - 60;
        var svg = new StringBuilder();
        svg.Append(F($"<svg id=\"chart-groups\" role=\"img\" aria-label=\"Pass rate per group\" width=\"{ChartWidth}\" height=\"{groups.Count * row + 24}\" xmlns=\"http://www.w3.org/2000/svg\">"));
        for (var i = 0; i < groups.Count; i++)
        {
            var (name, totals) = groups[i];
            var y = i * row + 4;
            svg.Append(F($"<text x=\"0\" y=\"{y + 14}\">{E(Clip(name, 26))}</text>"));
            svg.Append(F($"<rect x=\"{label}\" y=\"{y}\" width=\"{bar}\" height=\"12\" fill=\"#eee\"/>"));
            svg.Append(F($"<rect x=\"{label}\" y=\"{y}\" width=\"{bar * totals.PassRate:0.#}\" height=\"12\" fill=\"{(totals.PassRate >= 1 ? "#16a34a" : "#dc2626")}\"><title>{E(name)}: {totals.PassedRuns}/{totals.Runs}</title></rect>"));
            if (comparison?.Baseline.Metrics.TryGetValue("pass_rate/" + name, out var was) == true)
            {
                svg.Append(F($"<rect x=\"{label}\" y=\"{y + 13}\" width=\"{bar * was:0.#}\" height=\"5\" fill=\"#64748b\"><title>baseline {Pct(was)}</title></rect>"));
            }

            svg.Append(F($"<text x=\"{label + bar + 6}\" y=\"{y + 11}\">{Pct(totals.PassRate)}</text>"));
        }

        var legendY = groups.Count * row + 18;
        svg.Append(F($"<text x=\"{label}\" y=\"{legendY}\" fill=\"#666\">{(comparison is null ? "bar: this run" : "thick bar: this run · thin grey bar: baseline")}</text></svg>\n"));
        return svg.ToString();
    }

    private static string Histogram(string id, List<double> values, string unit, string colour)
    {
        const int height = 140;
        const int bins = 12;
        if (values.Count == 0)
        {
            return "<p class=\"muted\">No runs.</p>\n";
        }

        var min = values.Min();
        var max = values.Max();
        var width = max > min ? (max - min) / bins : 1;
        var counts = new int[bins];
        foreach (var v in values)
        {
            counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
        }

        var top = counts.Max();
        var barWidth = (ChartWidth - 40) / bins;
        var svg = new StringBuilder();
        svg.Append(F($"<svg id=\"chart-{id}\" role=\"img\" aria-label=\"{id} distribution\" width=\"{ChartWidth}\" height=\"{height + 40}\" xmlns=\"http://www.w3.org/2000/svg\">"));
        for (var i = 0; i < bins; i++)
        {
            var h = top == 0 ? 0 : (double)counts[i] / top * height;
            svg.Append(F($"<rect x=\"{20 + i * barWidth}\" y=\"{height - h + 4:0.#}\" width=\"{barWidth - 2}\" height=\"{h:0.#}\" fill=\"{colour}\"><title>{min + i * width:0.##}–{min + (i + 1) * width:0.##} {unit}: {counts[i]}</title></rect>"));
        }

        var sorted = values.Order().ToList();
        svg.Append(F($"<text x=\"20\" y=\"{height + 20}\">{min:0.##} {unit}</text><text x=\"{ChartWidth - 120}\" y=\"{height + 20}\">{max:0.##} {unit}</text>"));
        svg.Append(F($"<text x=\"20\" y=\"{height + 36}\" fill=\"#666\">median {sorted[sorted.Count / 2]:0.##} · p95 {sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.95) - 1)]:0.##} · {values.Count} runs</text></svg>\n"));
        return svg.ToString();
    }

    private static string Kpi(string name, string value, string note) => $"<div class=\"kpi\"><b>{E(value)}</b>{E(name)}<br><span class=\"muted\">{E(note)}</span></div>";

    private static string Pct(double value) => F($"{value * 100:0.#}%");

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
