using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents;

/// <summary>Which chat client an agent runs on, for the runner and for anything acting for the agent (planners).</summary>
public static class AgentChatClients
{
    /// <summary>
    /// The key of the keyed <see cref="IChatClient"/> that agents without a <see cref="AgentDefinition.ChatClientKey"/>
    /// use, before the unkeyed one. A host whose unkeyed client invokes functions (as <c>AddAgentKit()</c>'s does)
    /// registers the default model's agent pipeline here.
    /// </summary>
    public const string DefaultKey = "agentkit.agents.default";

    /// <summary>The agent's client: keyed by its <see cref="AgentDefinition.ChatClientKey"/>, else <see cref="DefaultKey"/>, else the unkeyed one.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="agent">The agent.</param>
    /// <returns>The client.</returns>
    /// <exception cref="AgentConfigurationException">No such client is registered.</exception>
    public static IChatClient Resolve(IServiceProvider services, AgentDefinition agent)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(agent);
        return (agent.ChatClientKey is { } key
                ? services.GetKeyedService<IChatClient>(key)
                : services.GetKeyedService<IChatClient>(DefaultKey) ?? services.GetService<IChatClient>())
            ?? throw new AgentConfigurationException(agent.ChatClientKey is null
                ? $"Agent '{agent.Name}' uses the default chat client, but no IChatClient is registered."
                : $"Agent '{agent.Name}' uses the chat client '{agent.ChatClientKey}', but no IChatClient is registered with that key.");
    }
}
