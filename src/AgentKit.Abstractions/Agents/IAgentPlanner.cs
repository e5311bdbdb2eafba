namespace AgentKit.Abstractions.Agents;

/// <summary>Extension point for planners: prepares a turn before the model loop runs (for example, adds a plan to the request).</summary>
public interface IAgentPlanner
{
    /// <summary>Called after memory recall and before the first model call; may change <see cref="AgentTurnContext.RequestMessages"/>.</summary>
    /// <param name="context">The turn.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    ValueTask PlanTurnAsync(AgentTurnContext context, CancellationToken cancellationToken);
}
