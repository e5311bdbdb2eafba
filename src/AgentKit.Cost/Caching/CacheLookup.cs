using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Caching;

/// <summary>What a lookup found, and what storing the answer needs.</summary>
internal sealed class CacheLookup
{
    public static CacheLookup Bypass(string reason) => new() { BypassReason = reason };

    /// <summary>Why the request must not use the cache, or <see langword="null"/>.</summary>
    public string? BypassReason { get; init; }

    public ChatResponse? Hit { get; init; }

    public string? HitLayer { get; init; }

    public string Scope { get; init; } = "";

    public CacheKey? Key { get; init; }

    public string StorageKey { get; init; } = "";

    public IReadOnlyList<string>? Entities { get; init; }

    public ReadOnlyMemory<float>? Embedding { get; init; }

    public bool Storable => BypassReason is null && Hit is null && Key is not null;
}
