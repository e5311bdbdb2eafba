using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// Supplies tools that belong to agents and change while the application runs — the tools a model made
/// (AgentKit.Sandbox's <c>MadeToolSource</c>). An agent run that opts in asks it for the running agent's tools at the
/// start of every turn, so a tool made, approved or removed since the last turn (by this process or another on the
/// same store) is offered, or no longer offered, without a restart; tool selection embeds a new description the first
/// time it sees it.
/// </summary>
public interface IAgentToolSource
{
    /// <summary>The tools <paramref name="agentName"/> may use now.</summary>
    /// <param name="agentName">The running agent.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>
    /// The tools; a tool whose name a registered <see cref="IToolSource"/> also offers is left out by the caller, so
    /// these never shadow a built-in, plugin or MCP tool.
    /// </returns>
    ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(string agentName, CancellationToken cancellationToken);
}
