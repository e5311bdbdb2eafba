namespace AgentKit.Agents.Sessions;

/// <summary>
/// Serialises turns of one session across processes: replicas that share a session store register one, and
/// <see cref="AgentRunner"/> takes the session's lock for the length of each turn, on top of its in-process check.
/// Without one registered, turns are serialised within the process only (enough for an embedded SQLite store).
/// </summary>
public interface ISessionRunLock
{
    /// <summary>Takes the session's run lock without waiting.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The held lock, released when disposed; <see langword="null"/> when another process holds it.</returns>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string sessionId, CancellationToken cancellationToken);
}
