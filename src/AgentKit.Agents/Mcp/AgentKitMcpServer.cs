using System.Text.Json.Nodes;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentKit.Agents.Mcp;

/// <summary>
/// Serves AgentKit tools as a Model Context Protocol server over stdin/stdout (what <c>agentkit mcp serve</c> runs).
/// Every call goes through the <see cref="ToolGovernor"/>, as an agent's does. As the MCP specification asks, a
/// tool's execution error (arguments that fail the schema, a throwing tool, a timeout) is a result with
/// <c>isError: true</c> whose text says what went wrong. Tools that need approval are not served: MCP has no one to ask here.
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
    /// <exception cref="ToolSchemaException">A tool's parameter schema cannot be enforced.</exception>
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
        var governor = new ToolGovernor(tools.Where(t => t.GetService<ApprovalRequiredAIFunction>() is null && !pipelineOptions.RequiresApproval(t.Name)), pipelineOptions, loggerFactory: loggerFactory);
        var collection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in governor.Tools)
        {
            collection.Add(new GovernedMcpServerTool(tool));
        }

        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = serverName, Version = typeof(AgentKitMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
            ToolCollection = collection,
        };
        options.Filters.Message.IncomingFilters.Add(RefuseMalformedArguments);
        return options;
    }

    /// <summary>
    /// <c>tools/call</c> with <c>arguments</c> that are not a JSON object is a protocol error, JSON-RPC <c>-32602</c>
    /// (invalid params), as the MCP specification says; the SDK would fail to read the request and answer <c>-32603</c>.
    /// </summary>
    private static McpMessageHandler RefuseMalformedArguments(McpMessageHandler next) => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall, Params: JsonObject parameters }
            && parameters.TryGetPropertyValue("arguments", out var arguments)
            && arguments is not (null or JsonObject))
        {
            throw new McpProtocolException(
                $"Invalid params: 'arguments' must be a JSON object (or omitted), not {arguments.GetValueKind()}.", McpErrorCode.InvalidParams);
        }

        return next(context, cancellationToken);
    };

    /// <summary>Answers <c>tools/call</c> with the governed outcome: its text, and <c>isError</c> unless the tool succeeded.</summary>
    private sealed class GovernedMcpServerTool(GovernedAIFunction tool) : DelegatingMcpServerTool(McpServerTool.Create(tool))
    {
        public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
        {
            var arguments = new AIFunctionArguments { Services = request.Services };
            if (request.Params?.Arguments is { } given)
            {
                foreach (var (name, value) in given)
                {
                    arguments[name] = value;
                }
            }

            var outcome = await tool.InvokeGovernedAsync(arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CallToolResult
            {
                Content = [new TextContentBlock { Text = outcome.Text }],
                IsError = !outcome.Succeeded,
            };
        }
    }
}
