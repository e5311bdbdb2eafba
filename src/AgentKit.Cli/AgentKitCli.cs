using System.CommandLine;
using AgentKit.Cli.Commands;
using AgentKit.Cli.Commands.Knowledge;
using AgentKit.Cli.Commands.Eval;
using AgentKit.Cli.Commands.Tools;

namespace AgentKit.Cli;

/// <summary>The agentkit command tree, built over a <see cref="CliContext"/> so it can run in-process.</summary>
internal static class AgentKitCli
{
    public static RootCommand CreateRootCommand(CliContext context)
    {
        var models = new Command("models", "Inspect, download and quantize GGUF models.")
        {
            ModelsInfoCommand.Create(context),
            ModelsPullCommand.Create(context),
            ModelsQuantizeCommand.Create(context),
        };
        return new RootCommand("AgentKit: chat with local GGUF models through llama.cpp or with configured agents, serve them over HTTP and tools over MCP, inspect and download them, check prompt files, and build and query a knowledge base of documents.")
        {
            ChatCommand.Create(context),
            ServeCommand.Create(context),
            McpServeCommand.Create(context),
            models,
            PromptsCommands.Create(context),
            IngestCommand.Create(context),
            AskCommand.Create(context),
            SearchCommand.Create(context),
            ToolsSearchCommand.Create(context),
            RunsCommands.Create(context),
            EvalCommand.Create(context),
        };
    }

    public static Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var parse = CreateRootCommand(context).Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = context.Out.Profile.Out.Writer,
            Error = context.Error.Profile.Out.Writer,
            // Commands handle Ctrl+C themselves (CancelKeyScope): a download stops cleanly, a chat answer
            // stops without ending the chat.
            ProcessTerminationTimeout = null,
        };
        return parse.InvokeAsync(invocation, cancellationToken);
    }
}
