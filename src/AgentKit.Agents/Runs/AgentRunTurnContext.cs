using AgentKit.Abstractions.Agents;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Runs;

/// <summary>The runtime's turn: the contract, with the agent's tools governed by the run that created it and a planner's progress sent to its events.</summary>
internal sealed class AgentRunTurnContext(Func<CancellationToken, ValueTask<IReadOnlyList<AIFunction>>> getTools, Action<PlannerProgress> report) : AgentTurnContext
{
    public override ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken) => getTools(cancellationToken);

    public override void ReportPlannerProgress(PlannerProgress progress) => report(progress);
}
