using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Tools;
using AgentKit.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Composition;

/// <summary>
/// Lists every tool when the host starts (starting the configured MCP servers, bounded by
/// <c>AgentKit:Tools:StartTimeout</c>) and checks each agent's tool names against the catalog, so a misspelt tool or
/// a broken server stops start-up instead of failing an agent's first run. Fails with an
/// <see cref="OptionsValidationException"/> whose messages name the configuration keys.
/// </summary>
internal sealed class AgentToolsStartupCheck(IServiceProvider services, IOptions<AgentKitOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var agents = services.GetServices<AgentDefinition>().ToList();
        var configured = options.Value;
        if (agents.Count == 0 && configured.Tools.McpServers.Count == 0)
        {
            return;
        }

        IReadOnlyDictionary<string, Microsoft.Extensions.AI.AIFunction> tools;
        try
        {
            tools = await services.GetRequiredService<ToolCatalog>().GetAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ToolCatalogException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AgentKitOptions), [e.Message]);
        }

        var failures = new List<string>();
        foreach (var agent in agents)
        {
            var inConfiguration = configured.Agents.TryGetValue(agent.Name, out var agentOptions);
            for (var i = 0; i < agent.Tools.Count; i++)
            {
                if (tools.ContainsKey(agent.Tools[i]))
                {
                    continue;
                }

                var where = inConfiguration && i < agentOptions!.Tools.Count
                    ? $"{AgentKitOptions.SectionName}:Agents:{agent.Name}:Tools:{i}"
                    : $"Agent '{agent.Name}' (registered in code)";
                failures.Add($"{where}: no tool named '{agent.Tools[i]}' is registered. Registered tools: {(tools.Count == 0 ? "(none)" : string.Join(", ", tools.Keys.Order(StringComparer.Ordinal)))}. " +
                    $"Add it under {AgentKitOptions.SectionName}:Tools (Plugins, PluginTypes, McpServers) or with AddAgentKitTools/AddAgentKitPlugin<T>.");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AgentKitOptions), failures);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
