namespace AgentKit.Cost.Caching;

/// <summary>Who may share a cached completion.</summary>
public enum CompletionCacheScope
{
    /// <summary>Every caller. Requests that carry per-user data are never cached in this scope.</summary>
    Global,

    /// <summary>Callers of the same agent. A request without an agent id is not cached.</summary>
    Agent,

    /// <summary>One user's session: the only scope that caches per-user data. A request without a session id is not cached.</summary>
    UserSession,
}
