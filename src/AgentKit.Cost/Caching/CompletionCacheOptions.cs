using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Caching;

/// <summary>The agent and user session a request comes from, as <see cref="CompletionCacheOptions.ResolveCaller"/> finds them.</summary>
/// <param name="AgentId">The agent, or <see langword="null"/>.</param>
/// <param name="SessionId">The user session, or <see langword="null"/>.</param>
public sealed record CompletionCacheCaller(string? AgentId, string? SessionId);

/// <summary>Options of the completion cache. Values are validated when set.</summary>
public sealed class CompletionCacheOptions
{
    private TimeSpan _timeToLive = TimeSpan.FromDays(1);
    private int _maxEntries = 100_000;
    private double _similarityThreshold = 0.85;
    private int _maxResponseChars = 64 * 1024;
    private int _maxSemanticRequestChars = 2_000;
    private int _semanticCandidates = 4;

    /// <summary>Who may share an entry. Default <see cref="CompletionCacheScope.Global"/>.</summary>
    public CompletionCacheScope Scope { get; set; } = CompletionCacheScope.Global;

    /// <summary>How long an entry answers after it was written. Default one day; 1 second to 365 days.</summary>
    public TimeSpan TimeToLive
    {
        get => _timeToLive;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromDays(365));
            _timeToLive = value;
        }
    }

    /// <summary>
    /// Most entries each layer keeps; past it the least recently used (exact layer) or oldest (semantic layer) go.
    /// Default 100,000; 1 to 10,000,000. An <c>IDistributedCache</c> given for the exact layer bounds itself.
    /// </summary>
    public int MaxEntries
    {
        get => _maxEntries;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10_000_000);
            _maxEntries = value;
        }
    }

    /// <summary>Whether similar (not only identical) requests are answered from the cache. Default true; needs an embedding generator.</summary>
    public bool Semantic { get; set; } = true;

    /// <summary>
    /// Cosine similarity of the last user messages at or above which a cached answer is reused, and then only when the
    /// entity guard agrees. Default 0.85 (the benchmark's best hit rate with no wrong answer); 0.5 to 1.
    /// </summary>
    public double SimilarityThreshold
    {
        get => _similarityThreshold;
        set
        {
            if (!(value >= 0.5 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The similarity threshold must be between 0.5 and 1.");
            }

            _similarityThreshold = value;
        }
    }

    /// <summary>Nearest cached requests the semantic layer checks against the entity guard. Default 4; 1 to 64.</summary>
    public int SemanticCandidates
    {
        get => _semanticCandidates;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 64);
            _semanticCandidates = value;
        }
    }

    /// <summary>Responses longer than this (characters of text) are not cached. Default 65,536; at least 1.</summary>
    public int MaxResponseChars
    {
        get => _maxResponseChars;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxResponseChars = value;
        }
    }

    /// <summary>Last user messages longer than this skip the semantic layer (the exact layer still serves). Default 2,000; at least 1.</summary>
    public int MaxSemanticRequestChars
    {
        get => _maxSemanticRequestChars;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxSemanticRequestChars = value;
        }
    }

    /// <summary>
    /// Tools whose calls have no side effects, by name. A response that calls any other tool is never cached, because
    /// replaying it would repeat the call's effect (or skip it). Default: none.
    /// </summary>
    public ISet<string> SideEffectFreeTools { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Finds the agent and user session of a request. Default: the <see cref="CompletionCacheRequest.AgentIdKey"/> and
    /// <see cref="CompletionCacheRequest.SessionIdKey"/> properties of its options.
    /// </summary>
    public Func<ChatOptions?, CompletionCacheCaller> ResolveCaller { get; set; } = DefaultCaller;

    /// <summary>What time it is; tests move it. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The default <see cref="ResolveCaller"/>: the request's <see cref="CompletionCacheRequest"/> properties.</summary>
    /// <param name="options">The request's options.</param>
    /// <returns>The agent and session the properties name.</returns>
    public static CompletionCacheCaller DefaultCaller(ChatOptions? options) =>
        new(CompletionCacheRequest.GetString(options, CompletionCacheRequest.AgentIdKey), CompletionCacheRequest.GetString(options, CompletionCacheRequest.SessionIdKey));
}
