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

    /// <summary>
    /// Creates an empty session that belongs to <paramref name="owner"/> (an API key's hash, a signed-in user): hosts
    /// compare it with the caller before they show or continue the session. Stores that do not record owners throw
    /// <see cref="NotSupportedException"/> for a non-null owner, so a session is never silently left unscoped.
    /// </summary>
    /// <param name="agentName">The agent the session talks to.</param>
    /// <param name="owner">Who may use the session; <see langword="null"/> for nobody in particular.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="NotSupportedException">The store cannot record an owner.</exception>
    ValueTask<AgentSessionInfo> CreateAsync(string agentName, string? owner, CancellationToken cancellationToken) =>
        owner is null
            ? CreateAsync(agentName, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} does not record session owners; use SqliteSessionStore or InMemorySessionStore, or implement CreateAsync(agentName, owner, cancellationToken).");

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

    /// <summary>
    /// Lists one page of sessions, most recently updated first: only <see cref="SessionQuery.Owner"/>'s when set,
    /// at most <see cref="SessionQuery.Limit"/>. The default implementation filters <see cref="ListAsync(string?, CancellationToken)"/>;
    /// stores with many sessions do it in their query.
    /// </summary>
    /// <param name="query">Which sessions and how many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    async ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var all = await ListAsync(query.AgentName, cancellationToken).ConfigureAwait(false);
        return [.. all.Where(s => query.Owner is null || string.Equals(s.Owner, query.Owner, StringComparison.Ordinal)).Skip(query.Offset).Take(query.Limit)];
    }

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

/// <summary>One page of a session listing (<see cref="ISessionStore.ListAsync(SessionQuery, CancellationToken)"/>).</summary>
public sealed record SessionQuery
{
    /// <summary>The most sessions one page may ask for (1,000).</summary>
    public const int MaxLimit = 1000;

    /// <summary>Only this agent's sessions; <see langword="null"/> for all.</summary>
    public string? AgentName { get; init; }

    /// <summary>Only sessions this owner created (<see cref="AgentSessionInfo.Owner"/>); <see langword="null"/> for every session.</summary>
    public string? Owner { get; init; }

    /// <summary>How many sessions to skip, in the listing's order (most recently updated first). Default 0.</summary>
    public int Offset { get; init; }

    /// <summary>The most sessions to return, 1 to <see cref="MaxLimit"/>. Default 100.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Throws when <see cref="Offset"/> or <see cref="Limit"/> is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Naming the field and its range.</exception>
    public void Validate()
    {
        if (Limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"SessionQuery.Limit must be between 1 and {MaxLimit}.");
        }

        if (Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "SessionQuery.Offset must not be negative.");
        }
    }
}

/// <summary>A stored session.</summary>
/// <param name="Id">The session id.</param>
/// <param name="AgentName">The agent it talks to.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When messages were last stored.</param>
/// <param name="MessageCount">How many messages its history holds.</param>
/// <param name="Owner">Who the session belongs to (see <see cref="ISessionStore.CreateAsync(string, string?, CancellationToken)"/>); <see langword="null"/> when nobody in particular.</param>
public sealed record AgentSessionInfo(string Id, string AgentName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int MessageCount, string? Owner = null)
{
    /// <summary>Whether <paramref name="caller"/> may use the session: any caller when the session has no owner and the caller is anonymous, else only its owner.</summary>
    /// <param name="caller">The caller's identity, as passed to <see cref="ISessionStore.CreateAsync(string, string?, CancellationToken)"/>; <see langword="null"/> for an anonymous caller (a host without authentication).</param>
    /// <returns>True when the caller may read, continue or delete the session.</returns>
    public bool IsOwnedBy(string? caller) => caller is null || string.Equals(Owner, caller, StringComparison.Ordinal);
}

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

/// <summary>
/// The session store's database failed: the disk is full, an I/O error, the file is locked by another process or
/// corrupt. The message names the file and what to do; what the store held before the failed operation is intact.
/// </summary>
public sealed class SessionStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public SessionStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SessionStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The database file, when known.</summary>
    public string? Path { get; init; }

    /// <summary>Whether the operation failed because the disk holding the file is full (SQLITE_FULL).</summary>
    public bool IsDiskFull { get; init; }

    internal static SessionStoreException From(string path, string operation, Microsoft.Data.Sqlite.SqliteException cause)
    {
        // SQLITE_FULL (13): a write needed space the file system does not have.
        var diskFull = cause.SqliteErrorCode == 13;
        var message = diskFull
            ? $"The session store '{path}' could not {operation}: the disk is full (SQLITE_FULL). Nothing of this write was stored and the sessions stored before are intact; free space on the disk holding the file and retry."
            : $"The session store '{path}' could not {operation}: {cause.Message}";
        return new SessionStoreException(message, cause) { Path = path, IsDiskFull = diskFull };
    }
}
