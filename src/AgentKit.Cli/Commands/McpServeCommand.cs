using System.CommandLine;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Mcp;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Cli.Commands;

/// <summary>
/// <c>agentkit mcp serve</c>: serves the tools registered by the configuration as a Model Context Protocol server
/// over stdin/stdout (AgentKitMcpServer). Tools that need approval are not served. Logs go to stderr.
/// </summary>
internal static class McpServeCommand
{
    public static Command Create(CliContext context)
    {
        var config = AgentKitHost.ConfigOption();
        var serve = new Command("serve", "Serve the configured tools as an MCP server over stdio.") { config };
        serve.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => RunAsync(context, parse.GetValue(config), cancellationToken)));
        return new Command("mcp", "Model Context Protocol.") { serve };
    }

    private static async Task<int> RunAsync(CliContext context, FileInfo? config, CancellationToken cancellationToken)
    {
        using var host = await AgentKitHost.StartAsync(context, config, services: null, cancellationToken).ConfigureAwait(false);
        try
        {
            var tools = await host.Services.GetRequiredService<ToolCatalog>().GetAllAsync(cancellationToken).ConfigureAwait(false);
            if (tools.Count == 0)
            {
                CommandErrors.Write(context, "No tools are registered in this host, so there is nothing to serve.");
                return ExitCodes.Error;
            }

            using var stop = new CancelKeyScope(context.CancelKey, cancellationToken);
            try
            {
                await AgentKitMcpServer.RunStdioAsync(host.Services, cancellationToken: stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.WasCancelledByKey)
            {
                // Ctrl+C: a clean stop.
            }

            return ExitCodes.Success;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
