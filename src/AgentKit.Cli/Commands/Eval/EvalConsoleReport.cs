using System.Globalization;
using AgentKit.Evaluation.Reports;
using Spectre.Console;

namespace AgentKit.Cli.Commands.Eval;

/// <summary>The console table of an evaluation run: one row per case, then the totals and the baseline's changes.</summary>
internal static class EvalConsoleReport
{
    public static void Write(IAnsiConsole console, EvalReport report, EvalComparison? comparison)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Case").AddColumn("Group").AddColumn("Passed").AddColumn("95% CI").AddColumn("Latency").AddColumn("Model calls").AddColumn("Why not");
        foreach (var c in report.Cases)
        {
            var why = c.Runs.SelectMany(r => (r.Error is null ? [] : new[] { r.Error }).Concat(r.Results.Where(x => !x.Passed).Select(x => $"{x.Expectation}: {x.Detail}")))
                .Distinct(StringComparer.Ordinal).FirstOrDefault() ?? "";
            table.AddRow(
                Markup.Escape(c.Id),
                Markup.Escape(c.Group),
                (c.SuccessRate >= 1 ? "[green]" : "[red]") + F($"{c.PassedRuns}/{c.Runs.Count}") + "[/]",
                F($"{c.Interval[0] * 100:0}%–{c.Interval[1] * 100:0}%"),
                F($"{c.Runs.Average(r => r.LatencyMs):0} ms"),
                F($"{c.Runs.Sum(r => r.ModelCalls)} (+{c.Runs.Sum(r => r.CacheHits)} cached)"),
                Markup.Escape(why.Length > 120 ? why[..117] + "..." : why));
        }

        console.Write(table);
        var t = report.Totals;
        console.MarkupLine(Markup.Escape(F($"{report.Target}: {t.PassedRuns}/{t.Runs} runs passed ({t.PassRate * 100:0.0}%, 95% CI {t.Low * 100:0.0}%–{t.High * 100:0.0}%) over {t.Cases} cases in {report.DurationMs / 1000:0.0} s; overhead {report.MeanOverheadMs:0.0} ms per run outside model calls.")));
        foreach (var (group, g) in report.Groups)
        {
            console.MarkupLine(Markup.Escape(F($"  {group}: {g.PassedRuns}/{g.Runs} ({g.PassRate * 100:0.0}%)")));
        }

        if (comparison is not null)
        {
            foreach (var change in comparison.Changes.Where(c => c.Delta is not 0.0))
            {
                var line = F($"  {change.Metric}: {(change.Baseline is { } b ? (b * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–")} → {(change.Current is { } n ? (n * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–")}");
                console.MarkupLine((change.Regressed ? "[red]" : "") + Markup.Escape(line + (change.Regressed ? "  regressed" : "")) + (change.Regressed ? "[/]" : ""));
            }
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
