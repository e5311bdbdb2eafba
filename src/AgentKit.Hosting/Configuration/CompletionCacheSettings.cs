using AgentKit.Cost.Caching;

namespace AgentKit.Hosting.Configuration;

/// <summary>
/// <c>AgentKit:Models:&lt;name&gt;:Cache</c>: the completion cache of one chat model (<c>UseCompletionCache</c>), in both of
/// its pipelines, inside function invocation. Validated at start; see <c>docs/cost.md</c>.
/// </summary>
public sealed class CompletionCacheSettings
{
    /// <summary>Turns the cache on. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Who shares answers: <c>Global</c>, <c>Agent</c> (the running agent's name) or <c>UserSession</c> (the agent session;
    /// the only scope that caches per-user data). Default: Global.
    /// </summary>
    public CompletionCacheScope Scope { get; set; } = CompletionCacheScope.Global;

    /// <summary>How long an answer serves. Default: one day; 1 second to 365 days.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Most entries per layer. Default: 100,000; 1 to 10,000,000.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Answer similar requests too (embedding similarity and the entity guard). Default: true.</summary>
    public bool Semantic { get; set; } = true;

    /// <summary>Cosine similarity at or above which a similar request reuses an answer. Default: 0.85; 0.5 to 1.</summary>
    public double SimilarityThreshold { get; set; } = 0.85;

    /// <summary>The embedding model of the semantic layer. Default: <c>AgentKit:DefaultEmbeddingModel</c> (MiniLM unless configured).</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>Tools whose calls have no side effects; a response calling any other tool is never cached. Default: none.</summary>
    public List<string> SideEffectFreeTools { get; init; } = [];

    /// <summary>The SQLite file. Relative paths resolve against the content root. Default: <c>&lt;Storage:Directory&gt;/cache/&lt;model&gt;.db</c>.</summary>
    public string? Path { get; set; }
}
