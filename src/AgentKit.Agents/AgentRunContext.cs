namespace AgentKit.Agents;

/// <summary>
/// The run a tool is being called for: which agent, session and run. Available to tools as
/// <see cref="Current"/> while an <see cref="AgentSession"/> runs a turn, so a tool that enforces per-session rules
/// (who was verified, how many attempts were made) learns the session from the runtime rather than from a model
/// argument the model could forge.
/// </summary>
/// <remarks>
/// The value flows with the run's asynchronous execution (an <see cref="AsyncLocal{T}"/>): it is set when a run
/// starts and is visible to memory, planners and every tool the run invokes, including tools invoked on other
/// threads by the function-invocation loop. Outside a run it is <see langword="null"/>.
/// </remarks>
public sealed class AgentRunContext
{
    private static readonly AsyncLocal<AgentRunContext?> Ambient = new();

    internal AgentRunContext(string agentName, string sessionId, string runId)
    {
        AgentName = agentName;
        SessionId = sessionId;
        RunId = runId;
    }

    /// <summary>The run in progress on this asynchronous flow, or <see langword="null"/> outside an agent run.</summary>
    public static AgentRunContext? Current => Ambient.Value;

    /// <summary>The agent's name.</summary>
    public string AgentName { get; }

    /// <summary>The session the run belongs to.</summary>
    public string SessionId { get; }

    /// <summary>The run's id (the <c>RunId</c> of its events and result).</summary>
    public string RunId { get; }

    /// <summary>Makes <paramref name="context"/> current for the rest of the calling asynchronous method (and what it awaits).</summary>
    internal static void Enter(AgentRunContext context) => Ambient.Value = context;
}
