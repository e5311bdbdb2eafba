using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentKit.Sandbox.Making;

namespace AgentKit.Cli.Commands.Tools;

/// <summary>
/// <c>agentkit tools made list|show|approve|remove</c>: a person's view of the tools models made, on the file a host
/// keeps them in (<c>data/made-tools.db</c> by default). <c>show</c> prints a version's body and examples, to read before
/// <c>approve</c>; approving or removing here is seen by a running host from its agents' next turn.
/// </summary>
internal static class MadeToolsCommand
{
    /// <summary>The file used when <c>--db</c> is not given, relative to the current folder (hosting's default under <c>AgentKit:Storage:Directory</c>).</summary>
    public static readonly string DefaultDatabase = Path.Combine("data", "made-tools.db");

    public static Command Create(CliContext context)
    {
        var list = new Command("list", "List the made tools: scope, name, version, approved or not.") { Database(), Removed() };
        list.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => ListAsync(context, parse, cancellationToken)));

        var show = new Command("show", "Print a made tool's description, parameter schema, body and examples (the latest version unless --version).") { Name(), Agent(), Version(), Database() };
        show.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => ShowAsync(context, parse, cancellationToken)));

        var approve = new Command("approve", "Approve a made tool (the latest version unless --version), so agents call it without asking.") { Name(), Agent(), Version(), Database() };
        approve.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => ApproveAsync(context, parse, cancellationToken)));

        var remove = new Command("remove", "Remove a made tool: every version, or one with --version. Removed versions stay in the file, never offered.") { Name(), Agent(), Version(), Database() };
        remove.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => RemoveAsync(context, parse, cancellationToken)));

        return new Command("made", "Inspect, approve and remove the tools models made (AgentKit:Tools:Making).") { list, show, approve, remove };
    }

    private static async Task<int> ListAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var tools = await Open(parse).ListAsync(includeRemoved: parse.GetValue<bool>("--removed"), cancellationToken: cancellationToken).ConfigureAwait(false);
        var writer = context.Out.Profile.Out.Writer;
        if (tools.Count == 0)
        {
            await writer.WriteAsync("No made tools.\n").ConfigureAwait(false);
        }

        foreach (var tool in tools)
        {
            var state = tool.Removed is not null ? "removed" : tool.Approved is not null ? "approved" : "pending approval";
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{tool.Scope}\t{tool.Name}\tv{tool.Version}\t{state}\t{tool.Created:yyyy-MM-dd HH:mm}\t{tool.Description}\n")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task<int> ShowAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var (scope, name, version) = Target(parse);
        var versions = await Open(parse).ListAsync([scope], includeRemoved: true, cancellationToken).ConfigureAwait(false);
        var tool = versions.Where(t => t.Name == name && (version is null ? t.Removed is null : t.Version == version)).MaxBy(t => t.Version)
            ?? throw new CommandInputException($"No made tool '{name}'{(version is null ? "" : $" version {version}")} in {scope}; see 'agentkit tools made list'.");
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{tool.Scope} {tool.Name} v{tool.Version} ({(tool.Removed is not null ? "removed" : tool.Approved is not null ? "approved" : "pending approval")})\n")
            .Append(CultureInfo.InvariantCulture, $"Description: {tool.Description}\n")
            .Append(CultureInfo.InvariantCulture, $"Parameters: {tool.ParametersSchema.GetRawText()}\n")
            .Append("Body:\n").Append(tool.Body).Append('\n')
            .Append("Examples:\n");
        foreach (var example in tool.Examples)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {example.Input.GetRawText()} -> {example.Expected.GetRawText()}\n");
        }

        await context.Out.Profile.Out.Writer.WriteAsync(text.ToString()).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> ApproveAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var (scope, name, version) = Target(parse);
        if (!await Open(parse).ApproveAsync(scope, name, version, cancellationToken).ConfigureAwait(false))
        {
            throw new CommandInputException($"No made tool '{name}'{(version is null ? "" : $" version {version}")} to approve in {scope}; see 'agentkit tools made list'.");
        }

        await context.Out.Profile.Out.Writer.WriteAsync($"Approved {name}{(version is null ? " (latest version)" : $" v{version}")} in {scope}.\n").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> RemoveAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var (scope, name, version) = Target(parse);
        var removed = await Open(parse).RemoveAsync(scope, name, version, cancellationToken).ConfigureAwait(false);
        if (removed == 0)
        {
            throw new CommandInputException($"No made tool '{name}'{(version is null ? "" : $" version {version}")} to remove in {scope}; see 'agentkit tools made list'.");
        }

        await context.Out.Profile.Out.Writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"Removed {removed} version(s) of {name} in {scope}.\n")).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static MadeToolStore Open(ParseResult parse)
    {
        var path = parse.GetRequiredValue<string>("--db");
        // Never create a file here: a mistyped path is an error, not an empty store.
        return File.Exists(path)
            ? new MadeToolStore(path)
            : throw new CommandInputException($"{Path.GetFullPath(path)}: no made tools file exists there; give the file with --db (a host keeps it at AgentKit:Tools:Making:Path, default data/made-tools.db).");
    }

    private static (string Scope, string Name, int? Version) Target(ParseResult parse)
    {
        var agent = parse.GetValue<string?>("--agent");
        return (string.IsNullOrWhiteSpace(agent) ? MadeToolScopes.Shared : MadeToolScopes.ForAgent(agent), parse.GetRequiredValue<string>("name"), parse.GetValue<int?>("--version"));
    }

    private static Argument<string> Name() => new("name") { Description = "The made tool's name." };

    private static Option<string?> Agent() => new("--agent") { Description = "The agent whose own tool it is; omit for a shared tool." };

    private static Option<int?> Version() => new("--version") { Description = "One version; default: the latest (show, approve) or all (remove)." };

    private static Option<bool> Removed() => new("--removed") { Description = "List removed versions too." };

    private static Option<string> Database() => new("--db")
    {
        Description = $"The made tools file (SQLite). Default: {DefaultDatabase} under the current folder.",
        DefaultValueFactory = _ => DefaultDatabase,
    };
}
