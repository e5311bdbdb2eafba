using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>Puts tool selection into an agent run's pipeline: <c>find_tools</c> joins the run's tools and the selecting client goes under function invocation.</summary>
internal static class AgentToolSelection
{
    /// <summary>
    /// The run's tools and model client with selection applied, or both unchanged when the agent does not select
    /// tools or has no more than it would show anyway.
    /// </summary>
    /// <exception cref="AgentConfigurationException">No <see cref="ToolSelector"/> is registered, an always-on tool is not on the allowlist, or a tool is already named <c>find_tools</c>.</exception>
    public static (IReadOnlyList<AIFunction> Tools, IChatClient Client) Apply(AgentDefinition agent, IServiceProvider services, IReadOnlyList<AIFunction> tools, IChatClient client)
    {
        if (agent.ToolSelection is not { } options)
        {
            return (tools, client);
        }

        foreach (var name in options.AlwaysOn)
        {
            if (!tools.Any(t => t.Name == name))
            {
                throw new AgentConfigurationException($"Agent '{agent.Name}': the always-on tool '{name}' is not one of the agent's tools ({string.Join(", ", tools.Select(t => t.Name))}).");
            }
        }

        if (tools.Any(t => t.Name == ToolSelectionOptions.FindToolsName))
        {
            throw new AgentConfigurationException($"Agent '{agent.Name}' selects tools, and selection adds the tool '{ToolSelectionOptions.FindToolsName}'; rename the agent's own tool of that name.");
        }

        if (tools.Count - options.AlwaysOn.Count <= options.TopK)
        {
            return (tools, client);
        }

        var selector = services.GetService<ToolSelector>() ?? throw new AgentConfigurationException(
            $"Agent '{agent.Name}' selects tools, which needs a ToolSelector and an embedding model; call AddAgentKitToolSelection().");
        return ([.. tools, new FindToolsFunction(selector, tools, options)], new ToolSelectingChatClient(client, selector, options));
    }
}
