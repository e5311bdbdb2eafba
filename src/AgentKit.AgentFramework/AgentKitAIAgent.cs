using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using KitSession = AgentKit.Agents.AgentSession;
using MafSession = Microsoft.Agents.AI.AgentSession;

namespace AgentKit.AgentFramework;

/// <summary>
/// An AgentKit agent as a Microsoft Agent Framework <see cref="AIAgent"/>: a run is an AgentKit run (its tools,
/// approvals, limits, memory and planner), and a MAF session is an AgentKit session, whose history lives in AgentKit's
/// <c>ISessionStore</c>. A serialised session is only its id, so it can be resumed by any process sharing the store.
/// </summary>
/// <remarks>
/// An AgentKit turn takes one input message: several new messages are joined into one user message (their texts, one
/// per line). A run that does not complete (a limit, a timeout, a failure) still returns its messages; its
/// <see cref="AgentRunResult"/> is in the response's <see cref="RunResultKey"/> property (a streamed run reports the
/// outcome under <see cref="RunOutcomeKey"/>). A streamed run with a planner (<c>AgentDefinition.Planner</c>) streams the
/// planner's model text first, as <see cref="TextReasoningContent"/> tagged with <see cref="PlannerKey"/>.
/// </remarks>
public sealed class AgentKitAIAgent : AIAgent
{
    /// <summary>The <see cref="AgentResponse.AdditionalProperties"/> key of the AgentKit <see cref="AgentRunResult"/>.</summary>
    public const string RunResultKey = "agentkit.run";

    /// <summary>
    /// The <see cref="AgentResponseUpdate.AdditionalProperties"/> key of the run's <see cref="AgentRunOutcome"/> (its name),
    /// on a streamed run's last update: updates stay plain JSON values, since workflows serialise them.
    /// </summary>
    public const string RunOutcomeKey = "agentkit.run.outcome";

    /// <summary>
    /// The <see cref="AgentResponseUpdate.AdditionalProperties"/> keys of a streamed planner step: the strategy, and the
    /// prompt whose text a <see cref="TextReasoningContent"/> update carries (the agent's planner thinking before the answer).
    /// </summary>
    public const string PlannerKey = "agentkit.planner";

    /// <inheritdoc cref="PlannerKey"/>
    public const string PlannerStepKey = "agentkit.planner.step";

    private readonly AgentRunner _runner;
    private readonly AgentDefinition _agent;

    /// <summary>Wraps one of the runner's agents.</summary>
    /// <param name="runner">The runner that owns the agents and the session store.</param>
    /// <param name="agentName">The agent's name.</param>
    /// <exception cref="AgentNotFoundException">No agent has that name.</exception>
    public AgentKitAIAgent(AgentRunner runner, string agentName)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        _runner = runner;
        _agent = runner.GetAgent(agentName);
    }

    /// <inheritdoc/>
    public override string? Name => _agent.Name;

    /// <inheritdoc/>
    protected override async ValueTask<MafSession> CreateSessionCoreAsync(CancellationToken cancellationToken = default) =>
        new AgentKitSession((await _runner.CreateSessionAsync(_agent.Name, cancellationToken).ConfigureAwait(false)).Id);

    /// <inheritdoc/>
    protected override ValueTask<JsonElement> SerializeSessionCoreAsync(MafSession session, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(JsonSerializer.SerializeToElement(new SessionState(Own(session).SessionId), AgentFrameworkJson.Default.SessionState));

    /// <inheritdoc/>
    /// <exception cref="JsonException">The JSON is not an AgentKit session.</exception>
    /// <exception cref="SessionNotFoundException">The session is not in the store.</exception>
    protected override async ValueTask<MafSession> DeserializeSessionCoreAsync(JsonElement serializedState, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default)
    {
        var state = serializedState.ValueKind == JsonValueKind.Object ? serializedState.Deserialize(AgentFrameworkJson.Default.SessionState) : null;
        if (state?.SessionId is not { Length: > 0 } id)
        {
            throw new JsonException($"A serialised session of the AgentKit agent '{_agent.Name}' must be an object with a 'sessionId' string.");
        }

        var session = await _runner.OpenSessionAsync(id, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(session.Agent.Name, _agent.Name, StringComparison.Ordinal))
        {
            throw new JsonException($"Session '{id}' belongs to the agent '{session.Agent.Name}', not to '{_agent.Name}'.");
        }

        return new AgentKitSession(id);
    }

    /// <inheritdoc/>
    protected override async Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, MafSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (kit, input) = await PrepareAsync(messages, session, cancellationToken).ConfigureAwait(false);
        var result = await kit.RunAsync(input, cancellationToken).ConfigureAwait(false);
        return Response(result);
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(
        IEnumerable<ChatMessage> messages, MafSession? session = null, AgentRunOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (kit, input) = await PrepareAsync(messages, session, cancellationToken).ConfigureAwait(false);
        var messageId = "msg-" + Guid.NewGuid().ToString("N")[..16];
        await foreach (var evt in kit.RunStreamingAsync(input, cancellationToken).ConfigureAwait(false))
        {
            switch (evt)
            {
                case TextDeltaEvent delta:
                    yield return new AgentResponseUpdate(ChatRole.Assistant, delta.Text) { AgentId = Id, AuthorName = Name, MessageId = messageId, ResponseId = evt.RunId };
                    break;
                case PlannerProgressEvent { Kind: "text_delta", Text: { Length: > 0 } text } planning:
                    yield return new AgentResponseUpdate(ChatRole.Assistant, [new TextReasoningContent(text)])
                    {
                        AgentId = Id,
                        AuthorName = Name,
                        MessageId = messageId,
                        ResponseId = evt.RunId,
                        AdditionalProperties = new() { [PlannerKey] = planning.Planner, [PlannerStepKey] = planning.Name },
                    };
                    break;
                case RunCompletedEvent or RunFailedEvent:
                    var result = evt is RunCompletedEvent completed ? completed.Result : ((RunFailedEvent)evt).Result;
                    yield return new AgentResponseUpdate(ChatRole.Assistant, [new UsageContent(result.Usage)])
                    {
                        AgentId = Id,
                        ResponseId = result.RunId,
                        FinishReason = result.Outcome == AgentRunOutcome.Completed ? ChatFinishReason.Stop : null,
                        AdditionalProperties = new() { [RunOutcomeKey] = result.Outcome.ToString() },
                    };
                    break;
            }
        }
    }

    private async Task<(KitSession Session, ChatMessage Input)> PrepareAsync(IEnumerable<ChatMessage> messages, MafSession? session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException($"The AgentKit agent '{_agent.Name}' needs an input message to run.", nameof(messages));
        }

        var input = list.Count == 1 ? list[0] : new ChatMessage(ChatRole.User, string.Join('\n', list.Select(m => m.Text).Where(t => t.Length > 0)));
        var kit = session is null
            ? await _runner.CreateSessionAsync(_agent.Name, cancellationToken).ConfigureAwait(false)
            : await _runner.OpenSessionAsync(Own(session).SessionId, cancellationToken).ConfigureAwait(false);
        return (kit, input);
    }

    private AgentResponse Response(AgentRunResult result) => new([.. result.Messages.Where(m => m.Role == ChatRole.Assistant)])
    {
        AgentId = Id,
        ResponseId = result.RunId,
        Usage = result.Usage,
        FinishReason = result.Outcome == AgentRunOutcome.Completed ? ChatFinishReason.Stop : null,
        AdditionalProperties = new() { [RunResultKey] = result },
    };

    private AgentKitSession Own(MafSession session) => session as AgentKitSession
        ?? throw new ArgumentException($"The session is a {session.GetType().Name}; the AgentKit agent '{_agent.Name}' runs only sessions it created or deserialised.", nameof(session));
}

/// <summary>A MAF session of an <see cref="AgentKitAIAgent"/>: the id of an AgentKit session, whose history is in the session store.</summary>
public sealed class AgentKitSession : MafSession
{
    internal AgentKitSession(string sessionId) => SessionId = sessionId;

    /// <summary>The AgentKit session id (<see cref="KitSession.Id"/>).</summary>
    public string SessionId { get; }
}

internal sealed record SessionState(string SessionId);
