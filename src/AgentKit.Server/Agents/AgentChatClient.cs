using System.Runtime.CompilerServices;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using AgentKit.Hosting.Admission;
using AgentKit.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.Agents;

/// <summary>
/// An agent seen through <see cref="IChatClient"/>, so <c>/v1/chat/completions</c> can name an agent as its model.
/// Without a session id the request's earlier messages seed a temporary session that is deleted afterwards; with
/// one (<see cref="SessionIdProperty"/>, from the <c>X-AgentKit-Session</c> header) the stored conversation goes on
/// and only the last user message is sent. The agent runs its own tools; they never reach the caller as tool calls.
/// <see cref="GetService"/> offers the agent's model's <see cref="ModelAdmission"/>, so the endpoint can admit the
/// whole run before it starts.
/// </summary>
internal sealed class AgentChatClient(AgentRunner runner, ISessionStore store, string agentName, ModelAdmission? admission) : IChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> entry naming a stored session to continue.</summary>
    public const string SessionIdProperty = "agentkit.session_id";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> entry the endpoint sets to the authenticated caller
    /// (<see cref="Http.ApiCaller.Owner"/>): a stored session is continued only by its owner.
    /// </summary>
    public const string OwnerProperty = "agentkit.owner";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (options?.Tools is { Count: > 0 })
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"'{agentName}' is an agent: it calls its own tools, so 'tools' must not be sent.", "tools");
        }

        var conversation = messages.Where(m => m.Role != ChatRole.System).ToList();
        if (conversation.Count == 0 || conversation[^1].Role != ChatRole.User)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", "The last message for an agent must be a user message.", "messages");
        }

        var sessionId = options?.AdditionalProperties?.TryGetValue(SessionIdProperty, out var id) == true ? id as string : null;
        var owner = options?.AdditionalProperties?.TryGetValue(OwnerProperty, out var caller) == true ? caller as string : null;
        var temporary = sessionId is null;
        AgentSession session;
        if (temporary)
        {
            session = await runner.CreateSessionAsync(agentName, owner, cancellationToken).ConfigureAwait(false);
            await store.AppendMessagesAsync(session.Id, conversation.Take(conversation.Count - 1), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (await store.GetAsync(sessionId!, cancellationToken).ConfigureAwait(false) is not { } info || !info.IsOwnedBy(owner))
            {
                throw new ApiProblemException(StatusCodes.Status404NotFound, "session_not_found", $"No session '{sessionId}'; create one with POST /api/sessions.", "id");
            }

            session = await SessionEndpoints.OpenAsync(runner, sessionId!, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(session.Agent.Name, agentName, StringComparison.OrdinalIgnoreCase))
            {
                throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid_request", $"Session '{sessionId}' belongs to agent '{session.Agent.Name}', not '{agentName}'.", "model");
            }
        }

        try
        {
            await foreach (var agentEvent in SessionEndpoints.RunAsync(session, conversation[^1], cancellationToken).ConfigureAwait(false))
            {
                switch (agentEvent)
                {
                    case TextDeltaEvent delta:
                        yield return new ChatResponseUpdate(ChatRole.Assistant, delta.Text);
                        break;
                    case RunCompletedEvent completed:
                        yield return Final(completed.Result);
                        break;
                    case RunFailedEvent failed when failed.Result.Outcome is AgentRunOutcome.StepLimitReached or AgentRunOutcome.TokenLimitReached:
                        yield return Final(failed.Result);
                        break;
                    case RunFailedEvent failed:
                        throw new ApiProblemException(StatusCodes.Status502BadGateway, "agent_run_failed", $"The agent run ended {failed.Result.Outcome}: {failed.Result.Error}");
                }
            }
        }
        finally
        {
            if (temporary)
            {
                await runner.DeleteSessionAsync(session.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static ChatResponseUpdate Final(AgentRunResult result) => new()
    {
        Role = ChatRole.Assistant,
        FinishReason = result.Outcome == AgentRunOutcome.Completed ? ChatFinishReason.Stop : ChatFinishReason.Length,
        Contents = [new UsageContent(result.Usage)],
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ModelAdmission) ? admission
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
