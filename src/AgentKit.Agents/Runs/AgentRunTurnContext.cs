using AgentKit.Abstractions.Agents;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Runs;

/// <summary>The runtime's turn: the contract, with the agent's tools governed by the run that created it.</summary>
internal sealed class AgentRunTurnContext(Func<CancellationToken, ValueTask<IReadOnlyList<AIFunction>>> getTools) : AgentTurnContext
{
    public override ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken) => getTools(cancellationToken);
}
