using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Caching;

/// <summary>
/// Per-request facts the completion cache needs and cannot infer, carried in <see cref="ChatOptions.AdditionalProperties"/>
/// (these keys are left out of the cache key): the agent and the user session a request belongs to, whether it holds
/// per-user data, and opting a request out.
/// </summary>
public static class CompletionCacheRequest
{
    /// <summary>The agent id (a string) for <see cref="CompletionCacheScope.Agent"/>.</summary>
    public const string AgentIdKey = "agentkit.cache.agent";

    /// <summary>The user session id (a string) for <see cref="CompletionCacheScope.UserSession"/>.</summary>
    public const string SessionIdKey = "agentkit.cache.session";

    /// <summary><see langword="true"/> when the request holds data of one user (an account, an order, a tool result about them).</summary>
    public const string UserDataKey = "agentkit.cache.user_data";

    /// <summary><see langword="true"/> to neither read nor write the cache for this request.</summary>
    public const string NoCacheKey = "agentkit.cache.off";

    /// <summary>The property of a response (and of a streamed update) served from the cache: <c>exact</c> or <c>semantic</c>.</summary>
    public const string ServedFromKey = "agentkit.cache.served_from";

    internal static readonly HashSet<string> OwnKeys = new(StringComparer.Ordinal) { AgentIdKey, SessionIdKey, UserDataKey, NoCacheKey };

    /// <summary>Marks the request as an agent's and, when given, a user session's.</summary>
    /// <param name="options">The options to mark (changed and returned).</param>
    /// <param name="agentId">The agent, or <see langword="null"/>.</param>
    /// <param name="sessionId">The user session, or <see langword="null"/>.</param>
    /// <param name="userData">Whether the request holds per-user data.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithCacheScope(this ChatOptions options, string? agentId = null, string? sessionId = null, bool userData = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var properties = options.AdditionalProperties ??= [];
        if (agentId is not null)
        {
            properties[AgentIdKey] = agentId;
        }

        if (sessionId is not null)
        {
            properties[SessionIdKey] = sessionId;
        }

        if (userData)
        {
            properties[UserDataKey] = true;
        }

        return options;
    }

    /// <summary>Keeps this request out of the completion cache (neither read nor written).</summary>
    /// <param name="options">The options to mark (changed and returned).</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithoutCompletionCache(this ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[NoCacheKey] = true;
        return options;
    }

    internal static string? GetString(ChatOptions? options, string key) =>
        options?.AdditionalProperties?.TryGetValue(key, out var value) == true ? value?.ToString() : null;

    internal static bool GetFlag(ChatOptions? options, string key) =>
        options?.AdditionalProperties?.TryGetValue(key, out var value) == true && value is true or "true" or "True";
}
