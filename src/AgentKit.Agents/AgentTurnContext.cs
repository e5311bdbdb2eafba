using Microsoft.Extensions.AI;

namespace AgentKit.Agents;

/// <summary>One turn of a session as memory and planners see it.</summary>
public sealed class AgentTurnContext
{
    internal AgentTurnContext(AgentDefinition agent, string sessionId, string runId, ChatMessage input, IReadOnlyList<ChatMessage> history, List<ChatMessage> requestMessages, IServiceProvider services)
    {
        Agent = agent;
        SessionId = sessionId;
        RunId = runId;
        Input = input;
        History = history;
        RequestMessages = requestMessages;
        Services = services;
    }

    /// <summary>The agent.</summary>
    public AgentDefinition Agent { get; }

    /// <summary>The session.</summary>
    public string SessionId { get; }

    /// <summary>The run.</summary>
    public string RunId { get; }

    /// <summary>The user's message that started the turn.</summary>
    public ChatMessage Input { get; }

    /// <summary>The stored history before this turn (after any reduction).</summary>
    public IReadOnlyList<ChatMessage> History { get; }

    /// <summary>The messages the model will be sent: instructions, history, the input. Additions are sent but not stored.</summary>
    public IList<ChatMessage> RequestMessages { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services { get; }
}
