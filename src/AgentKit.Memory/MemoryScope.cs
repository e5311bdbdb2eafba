namespace AgentKit.Memory;

/// <summary>
/// Whose memory an operation touches: an agent and, optionally, one of its sessions. Reads and deletions through a
/// scope never reach the memories of another agent (nor, for a scope with <see cref="RestrictToSession"/>, of another session).
/// </summary>
/// <param name="AgentId">The agent; memories are partitioned by it.</param>
/// <param name="SessionId">The session the operation comes from; stored with new memories as their provenance.</param>
/// <param name="RestrictToSession">Whether reads and deletions are limited to memories written in <paramref name="SessionId"/>.</param>
public sealed record MemoryScope(string AgentId, string? SessionId = null, bool RestrictToSession = false)
{
    /// <summary>Checks the scope's values.</summary>
    /// <exception cref="ArgumentException">The agent id is empty, or the scope is restricted to a session it does not name.</exception>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(AgentId, nameof(AgentId));
        if (RestrictToSession && string.IsNullOrEmpty(SessionId))
        {
            throw new ArgumentException("A memory scope restricted to its session needs a SessionId.", nameof(SessionId));
        }
    }

    internal bool Owns(MemoryRecord record) =>
        string.Equals(record.AgentId, AgentId, StringComparison.Ordinal)
        && (!RestrictToSession || string.Equals(record.SessionId, SessionId, StringComparison.Ordinal));
}
