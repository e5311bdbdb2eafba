using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Server.ChatCompletions;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.Agents;

/// <summary>The registered agents as <c>/v1/chat/completions</c> models.</summary>
internal sealed class AgentChatTargets(AgentRunner runner, ISessionStore store, IServiceProvider services) : IChatTargetSource
{
    public string OwnedBy => "agentkit-agent";

    public IEnumerable<string> Names => runner.Agents.Select(a => a.Name);

    public IChatClient? Resolve(string name) =>
        runner.Agents.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) is { } agent
            ? new AgentChatClient(runner, store, agent.Name, AgentAdmission.Find(services, agent))
            : null;
}
