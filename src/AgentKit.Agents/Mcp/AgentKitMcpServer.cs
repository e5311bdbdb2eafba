using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentKit.Agents.Mcp;

/// <summary>
/// Serves AgentKit tools as a Model Context Protocol server over stdin/stdout (what <c>agentkit mcp serve</c> runs).
/// Served tools go through the same pipeline as an agent's: arguments validated against the schema, timeouts,
/// result cap, errors without stack traces. Tools that need approval are not served: MCP has no one to ask here.
/// </summary>
public static class AgentKitMcpServer
{
    /// <summary>Serves <paramref name="tools"/> until stdin closes or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="tools">The tools to serve.</param>
    /// <param name="serverName">The server name reported to clients.</param>
    /// <param name="pipelineOptions">Timeouts and caps; defaults apply when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Logging; must not write to stdout, which carries the protocol.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <returns>A task that completes when the server stops.</returns>
    public static async Task RunStdioAsync(
        IEnumerable<AIFunction> tools, string serverName = "agentkit", ToolPipelineOptions? pipelineOptions = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        loggerFactory ??= NullLoggerFactory.Instance;
        var options = CreateServerOptions(tools, serverName, pipelineOptions ?? new ToolPipelineOptions(), loggerFactory);
        var transport = new StdioServerTransport(serverName, loggerFactory);
        await using (transport.ConfigureAwait(false))
        {
            var server = McpServer.Create(transport, options, loggerFactory);
            await using (server.ConfigureAwait(false))
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Serves the application's registered tools (from <see cref="ToolCatalog"/>) over stdio.</summary>
    /// <param name="services">The application's services; must contain AgentKit agents (<c>AddAgentKitAgents</c>).</param>
    /// <param name="toolNames">The tools to serve; <see langword="null"/> serves every registered tool.</param>
    /// <param name="serverName">The server name reported to clients.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <returns>A task that completes when the server stops.</returns>
    public static async Task RunStdioAsync(IServiceProvider services, IEnumerable<string>? toolNames = null, string serverName = "agentkit", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var catalog = services.GetRequiredService<ToolCatalog>();
        IEnumerable<AIFunction> tools = toolNames is null
            ? (await catalog.GetAllAsync(cancellationToken).ConfigureAwait(false)).Values
            : await catalog.ResolveAsync(toolNames, cancellationToken).ConfigureAwait(false);
        var pipeline = services.GetService<Microsoft.Extensions.Options.IOptions<ToolPipelineOptions>>()?.Value;
        await RunStdioAsync(tools, serverName, pipeline, services.GetService<ILoggerFactory>(), cancellationToken).ConfigureAwait(false);
    }

    internal static McpServerOptions CreateServerOptions(IEnumerable<AIFunction> tools, string serverName, ToolPipelineOptions pipelineOptions, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var invoker = new ToolInvoker(pipelineOptions, allowlist: null, loggerFactory.CreateLogger<ToolInvoker>());
        var collection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in tools)
        {
            if (tool.GetService<ApprovalRequiredAIFunction>() is null && !pipelineOptions.RequiresApproval(tool.Name))
            {
                collection.Add(McpServerTool.Create(new GuardedAIFunction(tool, invoker)));
            }
        }

        return new McpServerOptions
        {
            ServerInfo = new Implementation { Name = serverName, Version = typeof(AgentKitMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
            ToolCollection = collection,
        };
    }

    /// <summary>Runs a served tool through the <see cref="ToolInvoker"/>, as an agent's tool call would.</summary>
    private sealed class GuardedAIFunction(AIFunction inner, ToolInvoker invoker) : DelegatingAIFunction(inner)
    {
        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var context = new FunctionInvocationContext
            {
                Function = InnerFunction,
                Arguments = arguments,
                CallContent = new FunctionCallContent(Guid.NewGuid().ToString("N"), Name, arguments),
            };
            return await invoker.InvokeAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }
}
