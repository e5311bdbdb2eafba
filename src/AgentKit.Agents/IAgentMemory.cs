namespace AgentKit.Agents;

/// <summary>
/// Extension point for memory modules: recall before a turn (add context to the request) and record after it.
/// </summary>
public interface IAgentMemory
{
    /// <summary>Called before the model loop; may add messages to <see cref="AgentTurnContext.RequestMessages"/> (sent, not stored).</summary>
    /// <param name="context">The turn.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    ValueTask BeforeTurnAsync(AgentTurnContext context, CancellationToken cancellationToken);

    /// <summary>Called after the run ended, whatever the outcome.</summary>
    /// <param name="context">The turn.</param>
    /// <param name="result">How the run ended.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>A task.</returns>
    ValueTask AfterTurnAsync(AgentTurnContext context, AgentRunResult result, CancellationToken cancellationToken);
}

/// <summary>Extension point for planners: prepares a turn before the model loop runs (for example, adds a plan to the request).</summary>
public interface IAgentPlanner
{
    /// <summary>Called after memory recall and before the first model call; may change <see cref="AgentTurnContext.RequestMessages"/>.</summary>
    /// <param name="context">The turn.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task.</returns>
    ValueTask PlanTurnAsync(AgentTurnContext context, CancellationToken cancellationToken);
}
