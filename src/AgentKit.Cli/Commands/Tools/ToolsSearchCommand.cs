using System.CommandLine;
using System.Globalization;
using AgentKit.Agents.Tools.Selection;
using AgentKit.Cli.Commands.Knowledge;
using AgentKit.Embeddings.MiniLM;

namespace AgentKit.Cli.Commands.Tools;

/// <summary>
/// <c>agentkit tools search --catalog FILE --top K "request"</c>: ranks a catalog of tool definitions (an MCP
/// <c>tools/list</c> result, or its array) for a request, as agents' tool selection does with the default embedding
/// model, and prints the names best first with their scores. For debugging a catalog, and for benchmarks.
/// </summary>
internal static class ToolsSearchCommand
{
    public static Command Create(CliContext context)
    {
        var request = new Argument<string>("request") { Description = "What the user asks for." };
        var catalog = new Option<string>("--catalog") { Description = "A JSON file: an array of tools (name, description, inputSchema) or an MCP tools/list result { \"tools\": [...] }.", Required = true };
        var top = new Option<int>("--top", "-k") { Description = "How many tools to print, from 1 to 100. Default: 10.", DefaultValueFactory = _ => 10 }.WithRange(1, 100);
        var command = new Command("search", "Print the tools of a catalog that best match a request, ranked as agents' tool selection ranks them.") { request, catalog, top };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => RunAsync(
            context, parse.GetRequiredValue(request), parse.GetRequiredValue(catalog), parse.GetValue(top), cancellationToken)));
        return new Command("tools", "Inspect tool catalogs and the tools models made.") { command, MadeToolsCommand.Create(context) };
    }

    private static async Task<int> RunAsync(CliContext context, string request, string catalogPath, int top, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request))
        {
            throw new CommandInputException("The request is empty: agentkit tools search --catalog FILE \"<request>\".");
        }

        IReadOnlyList<Microsoft.Extensions.AI.AIFunctionDeclaration> tools;
        try
        {
            tools = ToolCatalogFile.Load(catalogPath);
        }
        catch (ToolCatalogFileException e)
        {
            throw new CommandInputException(e.Message);
        }

        if (tools.Count == 0)
        {
            throw new CommandInputException($"{catalogPath}: the catalog has no tools.");
        }

        using var generator = new MiniLMEmbeddingGenerator();
        using var selector = new ToolSelector(generator);
        var ranked = await selector.RankAsync(tools, request, Math.Min(top, tools.Count), cancellationToken: cancellationToken).ConfigureAwait(false);
        var writer = context.Out.Profile.Out.Writer;
        for (var i = 0; i < ranked.Count; i++)
        {
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {ranked[i].Tool.Name} [{ranked[i].Score:F3}]\n")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
