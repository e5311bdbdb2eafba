using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Agents;

/// <summary>
/// One turn of a session as memory and planners see it. The agent runtime creates it; it carries what those modules
/// need and no runtime types, so they depend on this contract rather than on the runtime.
/// </summary>
public abstract class AgentTurnContext
{
    /// <summary>The agent's name.</summary>
    public required string AgentName { get; init; }

    /// <summary>The session.</summary>
    public required string SessionId { get; init; }

    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The user's message that started the turn.</summary>
    public required ChatMessage Input { get; init; }

    /// <summary>The stored history before this turn (after any reduction).</summary>
    public required IReadOnlyList<ChatMessage> History { get; init; }

    /// <summary>The messages the model will be sent: instructions, history, the input. Additions are sent but not stored.</summary>
    public required IList<ChatMessage> RequestMessages { get; init; }

    /// <summary>The agent's model as its runs use it (without the tool loop), for a module that asks the model itself (a planner).</summary>
    public required IChatClient ChatClient { get; init; }

    /// <summary>The application's services.</summary>
    public required IServiceProvider Services { get; init; }

    /// <summary>
    /// The agent's allowlisted tools for calls made outside the agent's own tool loop (a planner's), already governed
    /// exactly as that loop governs its calls (<see cref="Tools.GovernedAIFunction"/>): schema and range checks, the
    /// agent's timeouts and result caps, and approval of tools that need it asked through the run (announced on its
    /// events; denied when the application has no approval handler).
    /// </summary>
    /// <param name="cancellationToken">Cancels the lookup (a tool source may connect first).</param>
    /// <returns>The tools.</returns>
    public abstract ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reports a planner's progress on the run's events as it happens (the runtime emits it as an event; a context
    /// without events ignores it, which is the default).
    /// </summary>
    /// <param name="progress">What the planner did.</param>
    public virtual void ReportPlannerProgress(PlannerProgress progress)
    {
    }
}
