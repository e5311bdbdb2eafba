using System.Globalization;
using AgentKit.Evaluation.Optimization;
using Spectre.Console;

namespace AgentKit.Cli.Commands.Eval;

/// <summary>The console report of <c>agentkit eval --optimize</c>: one row per candidate, then the outcome and what the scores mean.</summary>
internal static class OptimizeConsoleReport
{
    public static void Write(IAnsiConsole console, PromptOptimizationReport report)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Candidate").AddColumn("Instruction").AddColumn("Shots").AddColumn("Examples from").AddColumn("Validation").AddColumn("Calls");
        foreach (var c in report.Candidates)
        {
            var best = c.Id == report.Best.Id;
            table.AddRow(
                (best ? "[green]" : "") + Markup.Escape(c.Id) + (best ? " (best)[/]" : ""),
                Markup.Escape(c.Instruction),
                F($"{c.Shots}"),
                Markup.Escape(c.ExampleCases.Count == 0 ? "–" : string.Join(", ", c.ExampleCases)),
                F($"{c.PassedRuns}/{c.Runs} ({c.ValidationPassRate * 100:0.0}%)"),
                F($"{c.Calls}"));
        }

        console.Write(table);
        console.MarkupLine(Markup.Escape(F(
            $"Split (seed {report.Seed}): {report.TrainCases.Count} training, {report.ValidationCases.Count} validation, {report.TestCases.Count} test cases; {report.Demonstrations.Count} of {report.BootstrapRuns} training runs passed and became example candidates.")));
        console.MarkupLine(Markup.Escape(F(
            $"Model calls: {report.CallsSpent} of the budget of {report.Budget} ({report.ModelCalls} reached the model, {report.CacheHits} from the cache); {report.CandidatesNotEvaluated} candidate(s) left untried for the budget{(report.CandidatesTooLarge > 0 ? F($", {report.CandidatesTooLarge} skipped as their file would be too large") : "")}.")));
        console.MarkupLine(Markup.Escape(F(
            $"Validation pass rate: original {report.Baseline.ValidationPassRate * 100:0.0}%, best ({report.Best.Id}) {report.Best.ValidationPassRate * 100:0.0}%.")));
        if (report.TestBestPassRate is { } test)
        {
            console.MarkupLine(Markup.Escape(F($"Test pass rate (held out, scored once): original {report.TestBaselinePassRate * 100:0.0}%, best {test * 100:0.0}%.")));
        }

        console.MarkupLine(Markup.Escape(report.ScoreNote));
        console.MarkupLine(report.WrittenFile is { } written
            ? "[green]" + Markup.Escape($"Wrote {written} (prompt {report.WrittenPrompt}); {report.SourceFile} is unchanged.") + "[/]"
            : Markup.Escape("No candidate beat the original on the validation split; nothing was written."));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
