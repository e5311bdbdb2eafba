using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Mcp;
using AgentKit.Agents.Plugins;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace AgentKit.Agents;

/// <summary>Registers agents, tools and sessions with dependency injection.</summary>
public static class AgentKitAgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="AgentRunner"/>, the <see cref="ToolCatalog"/> and, unless another
    /// <see cref="ISessionStore"/> is registered, a <see cref="SqliteSessionStore"/> at <paramref name="sessionDatabasePath"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="sessionDatabasePath">The SQLite file for session history. Defaults to <c>agentkit-sessions.db</c> in the current folder.</param>
    /// <param name="configureTools">Adjusts the tool pipeline settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitAgents(this IServiceCollection services, string sessionDatabasePath = "agentkit-sessions.db", Action<ToolPipelineOptions>? configureTools = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionDatabasePath);
        services.AddOptions<ToolPipelineOptions>();
        if (configureTools is not null)
        {
            services.Configure(configureTools);
        }

        services.TryAddSingleton<ISessionStore>(sp => new SqliteSessionStore(sessionDatabasePath, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new ToolCatalog(sp.GetServices<IToolSource>(), sp.GetServices<IAgentToolSource>()));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<AgentRunner>(sp));
        return services;
    }

    /// <summary>Registers an agent.</summary>
    /// <param name="services">The services.</param>
    /// <param name="agent">The definition.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgent(this IServiceCollection services, AgentDefinition agent)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(agent);
        return services.AddSingleton(agent);
    }

    /// <summary>Registers tools given as <see cref="AIFunction"/>s.</summary>
    /// <param name="services">The services.</param>
    /// <param name="tools">The tools.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitTools(this IServiceCollection services, params IEnumerable<AIFunction> tools)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton<IToolSource>(new StaticToolSource(tools));
    }

    /// <summary>
    /// Registers a Semantic Kernel plugin class: its <c>[KernelFunction]</c> methods become tools named
    /// <c>Plugin_Function</c>, and the class is constructed once with its constructor dependencies from DI.
    /// </summary>
    /// <typeparam name="T">The plugin class.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="pluginName">The plugin name; defaults to the class name.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitPlugin<T>(this IServiceCollection services, string? pluginName = null)
        where T : class => services.AddAgentKitPlugin(typeof(T), pluginName);

    /// <summary>Registers a Semantic Kernel plugin class given as a <see cref="Type"/> (from configuration), as <see cref="AddAgentKitPlugin{T}"/> does.</summary>
    /// <param name="services">The services.</param>
    /// <param name="pluginType">The plugin class.</param>
    /// <param name="pluginName">The plugin name; defaults to the class name.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitPlugin(this IServiceCollection services, Type pluginType, string? pluginName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(pluginType);
        return services.AddSingleton<IToolSource>(sp => new SemanticKernelPluginToolSource(sp, pluginType, pluginName));
    }

    /// <summary>Registers the tools of an MCP server started as a process and reached over stdio (it starts on first use).</summary>
    /// <param name="services">The services.</param>
    /// <param name="server">The server's command, arguments and environment.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitMcpServerTools(this IServiceCollection services, StdioClientTransportOptions server)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(server);
        return services.AddSingleton<IToolSource>(sp => McpToolSource.ForStdioServer(server, sp.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Registers <see cref="PendingApprovals"/> as the approval handler, for hosts that expose pending approvals (HTTP);
    /// it shares requests through the registered <see cref="IToolApprovalExchange"/>, if any (replicas on PostgreSQL).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="timeout">How long a request waits before it is denied. Defaults to 5 minutes.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitPendingApprovals(this IServiceCollection services, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new PendingApprovals(timeout, sp.GetService<TimeProvider>(), sp.GetService<IToolApprovalExchange>(), sp.GetService<ILogger<PendingApprovals>>()));
        services.TryAddSingleton<IToolApprovalHandler>(sp => sp.GetRequiredService<PendingApprovals>());
        return services;
    }
}
