using System.CommandLine;
using System.Globalization;
using AgentKit.Rag.Ingestion;
using Spectre.Console;

namespace AgentKit.Cli.Commands.Knowledge;

/// <summary>
/// <c>agentkit ingest &lt;folder&gt;</c>: reads, chunks and embeds every document under a folder into the knowledge
/// base, behind a progress bar by page (stderr), then prints the report table (stdout): per file, the chunks written or why
/// it was skipped. Incremental: unchanged files are skipped, changed ones replaced, deleted ones removed.
/// </summary>
internal static class IngestCommand
{
    public static Command Create(CliContext context)
    {
        var folder = new Argument<string>("folder") { Description = "The folder of documents (PDF, Markdown, HTML, text, reStructuredText, AsciiDoc, Word (also 97–2003 .doc), PowerPoint (also .ppt), Excel (also 97–2003 .xls), CSV, OpenDocument, EPUB), read recursively." };
        var db = CliKnowledgeBase.DatabaseOption();
        var collection = CliKnowledgeBase.CollectionOption();
        var command = new Command("ingest", "Add a folder of documents to the knowledge base (again: only what changed).") { folder, db, collection };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () =>
            RunAsync(context, parse.GetRequiredValue(folder), parse.GetRequiredValue(db), parse.GetRequiredValue(collection), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string folder, string database, string collection, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new CommandInputException($"The folder to ingest, '{root}', does not exist.");
        }

        using var knowledge = await CliKnowledgeBase.OpenForIngestionAsync(context, database, collection, root, cancellationToken).ConfigureAwait(false);
        using var keys = new CancelKeyScope(context.CancelKey, cancellationToken);
        var report = await context.Error.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask("Ingesting " + Markup.Escape(Path.GetFileName(root)), maxValue: 1);
                task.IsIndeterminate = true;
                var result = await knowledge.Knowledge.IngestAsync(new BarProgress(task, root), keys.Token).ConfigureAwait(false);
                task.Description = "Ingested " + Markup.Escape(Path.GetFileName(root));
                task.StopTask();
                return result;
            })
            .ConfigureAwait(false);

        context.Out.Write(ReportTable(report, root));
        context.Out.WriteLine(Summary(report, knowledge.DatabasePath, collection));
        return ExitCodes.Success;
    }

    private static Table ReportTable(IngestionReport report, string root)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("File").AddColumn("Status").AddColumn(new TableColumn("Chunks").RightAligned()).AddColumn(new TableColumn("Pages").RightAligned()).AddColumn("Detail");
        foreach (var file in report.Files)
        {
            var detail = file.Status switch
            {
                FileIngestionStatus.Skipped => $"{file.Reason}: {file.Message}",
                FileIngestionStatus.Removed => "no longer in the folder; its chunks were deleted",
                FileIngestionStatus.Unchanged => "same content as last time",
                _ => "",
            };
            var status = file.Status == FileIngestionStatus.Skipped ? "[yellow]Skipped[/]" : file.Status.ToString();
            table.AddRow(
                new Text(Path.GetRelativePath(root, file.Path)),
                new Markup(status),
                new Text(file.Chunks.ToString(CultureInfo.InvariantCulture)),
                new Text(file.Pages > 0 ? file.Pages.ToString(CultureInfo.InvariantCulture) : "-"),
                new Text(detail));
        }

        return table;
    }

    private static string Summary(IngestionReport report, string database, string collection)
    {
        var counts = string.Join(", ", Enum.GetValues<FileIngestionStatus>()
            .Select(s => (Status: s, Count: report.Count(s)))
            .Where(c => c.Count > 0)
            .Select(c => $"{c.Count} {c.Status.ToString().ToLowerInvariant()}"));
        // Most formats but PDF and slide decks have no pages: say how many files were read instead of "0 pages".
        var read = report.Count(FileIngestionStatus.Added) + report.Count(FileIngestionStatus.Updated);
        var paged = report.Files.Where(f => f.Status is FileIngestionStatus.Added or FileIngestionStatus.Updated && f.Pages > 0).ToList();
        var from = paged.Count == 0 ? $"{read} files"
            : paged.Count == read ? $"{report.PagesRead} pages"
            : $"{report.PagesRead} pages of {paged.Count} files and {read - paged.Count} files without pages";
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Files.Count} files ({(counts.Length == 0 ? "none" : counts)}): {report.ChunksWritten} chunks written from {from} in {report.Elapsed.TotalSeconds:F1} s, into {database} (collection {collection}).");
    }

    /// <summary>
    /// Moves the bar by pages as the ingestor embeds them (whole files for formats without pages), naming the file and
    /// its page; on the ingestor's thread and in order (unlike <see cref="Progress{T}"/>).
    /// </summary>
    internal sealed class BarProgress(ProgressTask task, string root) : IProgress<IngestionProgress>
    {
        public void Report(IngestionProgress value)
        {
            task.IsIndeterminate = false;
            task.MaxValue = 1;
            task.Value = value.Fraction;
            var file = Markup.Escape(Path.GetRelativePath(root, value.File));
            task.Description = value.Last is null && value.Pages > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{file} p. {value.Page}/{value.Pages}")
                : file;
        }
    }
}
