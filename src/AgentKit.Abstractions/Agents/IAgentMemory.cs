namespace AgentKit.Abstractions.Agents;

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
    ValueTask AfterTurnAsync(AgentTurnContext context, AgentTurnResult result, CancellationToken cancellationToken);
}
