using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Sessions;

/// <summary>Where sessions and their message history are kept. <see cref="SqliteSessionStore"/> is the default.</summary>
public interface ISessionStore
{
    /// <summary>Creates an empty session.</summary>
    /// <param name="agentName">The agent the session talks to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new session.</returns>
    ValueTask<AgentSessionInfo> CreateAsync(string agentName, CancellationToken cancellationToken = default);

    /// <summary>Gets a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session, or <see langword="null"/> when there is none with that id.</returns>
    ValueTask<AgentSessionInfo?> GetAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Lists sessions, most recently updated first.</summary>
    /// <param name="agentName">Only this agent's sessions; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sessions.</returns>
    ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(string? agentName = null, CancellationToken cancellationToken = default);

    /// <summary>Loads a session's history in order.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    ValueTask<IReadOnlyList<ChatMessage>> LoadMessagesAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Appends messages to a session's history, atomically.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    ValueTask AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Replaces a session's whole history, atomically (after history reduction).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messages">The new history.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    ValueTask ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and its history.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether there was such a session.</returns>
    ValueTask<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default);
}

/// <summary>A stored session.</summary>
/// <param name="Id">The session id.</param>
/// <param name="AgentName">The agent it talks to.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When messages were last stored.</param>
/// <param name="MessageCount">How many messages its history holds.</param>
public sealed record AgentSessionInfo(string Id, string AgentName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int MessageCount);

/// <summary>No session has the given id.</summary>
public sealed class SessionNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionNotFoundException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public SessionNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SessionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static SessionNotFoundException For(string sessionId) => new($"No session '{sessionId}' exists (it was never created or has been deleted).");
}
