using System.CommandLine;
using System.Globalization;
using AgentKit.Rag.Retrieval;
using Spectre.Console;

namespace AgentKit.Cli.Commands.Knowledge;

/// <summary>
/// <c>agentkit search "&lt;query&gt;"</c>: prints the knowledge base's best chunks for a query, ranked, each with its
/// score, citation (source, page, section) and text. No model is needed.
/// </summary>
internal static class SearchCommand
{
    public static Command Create(CliContext context)
    {
        var query = new Argument<string>("query") { Description = "What to look for." };
        var top = CliKnowledgeBase.TopOption("How many chunks to print, from 1 to 100. Default: 5.");
        var mode = CliKnowledgeBase.ModeOption();
        var db = CliKnowledgeBase.DatabaseOption();
        var collection = CliKnowledgeBase.CollectionOption();
        var rerank = CliKnowledgeBase.RerankOption();
        var command = new Command("search", "Print the knowledge base's chunks that best match a query, with scores and citations.") { query, top, mode, rerank, db, collection };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => RunAsync(
            context, parse.GetRequiredValue(query), new RetrievalOptions { Top = parse.GetValue(top), Mode = parse.GetValue(mode) },
            CliKnowledgeBase.RerankValue(parse, rerank), parse.GetRequiredValue(db), parse.GetRequiredValue(collection), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string query, RetrievalOptions options, bool? rerank, string database, string collection, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new CommandInputException("The query is empty: agentkit search \"<query>\".");
        }

        using var knowledge = await CliKnowledgeBase.OpenExistingAsync(context, database, collection, cancellationToken).ConfigureAwait(false);
        options = options with { Rerank = await knowledge.ResolveRerankAsync(rerank, options.Mode, cancellationToken).ConfigureAwait(false) };

        var results = await knowledge.Knowledge.SearchAsync(query, options, cancellationToken).ConfigureAwait(false);
        var writer = context.Out.Profile.Out.Writer;
        if (results.Count == 0)
        {
            context.Error.WriteLine($"Nothing in the knowledge base matches \"{query}\" ({options.Mode.ToString().ToLowerInvariant()} search).");
            return ExitCodes.Success;
        }

        for (var i = 0; i < results.Count; i++)
        {
            var chunk = results[i];
            var text = string.Join(' ', chunk.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1}. [{chunk.Score:F4}] {CliKnowledgeBase.Citation(chunk)}\n   {text}\n")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
