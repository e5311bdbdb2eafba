using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents;

/// <summary>One turn of a session as memory and planners see it.</summary>
public sealed class AgentTurnContext
{
    private readonly Func<ToolApprovalRequest, CancellationToken, Task<ToolApprovalDecision>> _requestApproval;

    internal AgentTurnContext(AgentDefinition agent, string sessionId, string runId, ChatMessage input, IReadOnlyList<ChatMessage> history, List<ChatMessage> requestMessages, IServiceProvider services,
        Func<ToolApprovalRequest, CancellationToken, Task<ToolApprovalDecision>> requestApproval)
    {
        _requestApproval = requestApproval;
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

    /// <summary>
    /// Asks for approval of a tool call made outside the agent's own tool loop (a planner's), exactly as that loop
    /// does: through the application's <see cref="IToolApprovalHandler"/> (denied when none is registered), with the
    /// request and the decision announced on the run's events (<see cref="Events.ApprovalRequestedEvent"/>,
    /// <see cref="Events.ApprovalResolvedEvent"/>), so a client watching the run can answer it.
    /// </summary>
    /// <param name="request">The call to approve; its session and agent should be this turn's.</param>
    /// <param name="cancellationToken">Cancels waiting for the decision.</param>
    /// <returns>The decision.</returns>
    public Task<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _requestApproval(request, cancellationToken);
    }
}
