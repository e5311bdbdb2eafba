using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AgentKit.Cost.Diagnostics;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Cost.Caching;

/// <summary>
/// The completion cache behind <see cref="CompletionCacheChatClient"/>: an exact layer on any
/// <see cref="IDistributedCache"/> and a semantic layer on any <see cref="VectorStore"/> guarded by the request's
/// entities. <see cref="OpenSqlite"/> puts both in one SQLite file. Also the invalidation API.
/// </summary>
public sealed class CompletionCache : IDisposable
{
    private const string KeyPrefix = "agentkit:completion:";
    private readonly IDistributedCache _exact;
    private readonly SemanticCacheIndex? _semantic;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private readonly ILogger _logger;
    private readonly IDisposable[] _owned;
    private int _dimensions;

    /// <summary>Creates a cache over the given layers.</summary>
    /// <param name="exact">The exact layer.</param>
    /// <param name="options">The options; default <see cref="CompletionCacheOptions"/>.</param>
    /// <param name="semanticStore">The semantic layer's store, or <see langword="null"/> for none.</param>
    /// <param name="embeddings">Embeds last user messages for the semantic layer; required with <paramref name="semanticStore"/> when <see cref="CompletionCacheOptions.Semantic"/> is on.</param>
    /// <param name="collectionName">The semantic layer's collection. Default <c>completion_cache</c>.</param>
    /// <param name="logger">Logs storage failures, which turn into misses instead of failed requests.</param>
    public CompletionCache(
        IDistributedCache exact,
        CompletionCacheOptions? options = null,
        VectorStore? semanticStore = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddings = null,
        string collectionName = "completion_cache",
        ILogger<CompletionCache>? logger = null)
        : this(exact, options, semanticStore, embeddings, collectionName, logger, owned: [])
    {
    }

    private CompletionCache(
        IDistributedCache exact, CompletionCacheOptions? options, VectorStore? semanticStore, IEmbeddingGenerator<string, Embedding<float>>? embeddings,
        string collectionName, ILogger? logger, IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(exact);
        ArgumentException.ThrowIfNullOrWhiteSpace(collectionName);
        Options = options ?? new CompletionCacheOptions();
        if (Options.Semantic && semanticStore is not null && embeddings is null)
        {
            throw new ArgumentException("The semantic layer needs an embedding generator to compare requests; pass one, or turn CompletionCacheOptions.Semantic off.", nameof(embeddings));
        }

        _exact = exact;
        _embeddings = embeddings;
        _logger = logger ?? NullLogger.Instance;
        _owned = owned;
        if (Options.Semantic && semanticStore is not null)
        {
            _semantic = new SemanticCacheIndex(semanticStore, collectionName, Options.MaxEntries, DimensionsAsync);
        }
    }

    /// <summary>The options.</summary>
    public CompletionCacheOptions Options { get; }

    /// <summary>The semantic layer's index, for the benchmark's breakdown of a lookup; <see langword="null"/> without the layer.</summary>
    internal SemanticCacheIndex? Semantic => _semantic;

    /// <summary>Entries the semantic layer holds in memory (loaded on its first use).</summary>
    internal int SemanticEntriesInMemory => _semantic?.Count ?? 0;

    /// <summary>
    /// Opens a cache whose two layers share one SQLite file: the exact layer a <see cref="SqliteDistributedCache"/>,
    /// the semantic layer a <see cref="SqliteVectorStore"/> collection (HNSW index).
    /// </summary>
    /// <param name="path">The SQLite file; its folder is created.</param>
    /// <param name="embeddings">Embeds requests for the semantic layer; <see langword="null"/> for the exact layer only.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">Logs storage failures.</param>
    /// <returns>The cache; disposing it writes the exact layer's pending access times and closes the file.</returns>
    public static CompletionCache OpenSqlite(
        string path, IEmbeddingGenerator<string, Embedding<float>>? embeddings, CompletionCacheOptions? options = null, ILogger<CompletionCache>? logger = null)
    {
        options ??= new CompletionCacheOptions();
        var exact = new SqliteDistributedCache(path, options.MaxEntries, options.TimeProvider);
        var store = options.Semantic && embeddings is not null ? new SqliteVectorStore(exact.Path) : null;
        return new CompletionCache(exact, options, store, embeddings, "completion_cache", logger, store is null ? [exact] : [store, exact]);
    }

    /// <summary>Forgets the cached answer to one request (both layers), for example after the data behind it changed.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options (its scope properties included).</param>
    /// <param name="modelId">The model the request went to, when the options do not name it.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the entry is gone.</returns>
    public async Task InvalidateAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, string? modelId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var lookup = await PrepareAsync([.. messages], options, modelId, cancellationToken).ConfigureAwait(false);
        if (lookup.Key is null)
        {
            return;
        }

        await _exact.RemoveAsync(lookup.StorageKey, cancellationToken).ConfigureAwait(false);
        if (_semantic is not null)
        {
            await _semantic.DeleteAsync(lookup.Key.ExactKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets every answer of one scope: all agents' shared answers, one agent's, or one user session's.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="agentId">The agent, for <see cref="CompletionCacheScope.Agent"/> (and <see cref="CompletionCacheScope.UserSession"/> when sessions were agents').</param>
    /// <param name="sessionId">The session, for <see cref="CompletionCacheScope.UserSession"/>.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the scope is empty.</returns>
    /// <exception cref="ArgumentException">The scope needs an id that was not given.</exception>
    public async Task InvalidateScopeAsync(CompletionCacheScope scope, string? agentId = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var value = ScopeValue(scope, agentId, sessionId)
            ?? throw new ArgumentException($"Invalidating the {scope} scope needs {(scope == CompletionCacheScope.Agent ? "an agent id" : "a session id")}.", scope == CompletionCacheScope.Agent ? nameof(agentId) : nameof(sessionId));

        // The exact layer may be any IDistributedCache, which cannot list keys: a new generation token for the
        // scope makes every key written under the old one unreachable, and the size bound removes them in time.
        await _exact.SetStringAsync(GenerationKey(value), NewToken(), cancellationToken).ConfigureAwait(false);
        if (_semantic is not null)
        {
            await _semantic.DeleteScopeAsync(value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets every cached answer.</summary>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the cache is empty.</returns>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        if (_exact is SqliteDistributedCache sqlite)
        {
            await sqlite.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _exact.SetStringAsync(GenerationKey("*"), NewToken(), cancellationToken).ConfigureAwait(false);
        }

        if (_semantic is not null)
        {
            await _semantic.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _semantic?.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    internal async Task<CacheLookup> LookupAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string? modelId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var lookup = await PrepareAsync(messages, options, modelId, cancellationToken).ConfigureAwait(false);
        if (lookup.BypassReason is { } reason)
        {
            CostTelemetry.Bypassed.Add(1, new KeyValuePair<string, object?>(CostTelemetry.ReasonTag, reason));
            return lookup;
        }

        var key = lookup.Key!;
        try
        {
            if (await _exact.GetAsync(lookup.StorageKey, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                return Found(lookup, Deserialize(bytes), "exact", started);
            }

            if (_semantic is null || key.LastUserText is not { } text || text.Length > Options.MaxSemanticRequestChars)
            {
                return Missed(lookup, started);
            }

            var embedding = (await _embeddings!.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector;
            var entities = RequestEntities.Extract(text);
            lookup = new CacheLookup { Scope = lookup.Scope, Key = key, StorageKey = lookup.StorageKey, Entities = entities, Embedding = embedding };
            var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var rejected = false;
            foreach (var (id, candidateEntities, score) in await _semantic.SearchAsync(embedding, lookup.Scope, key.ContextKey, now, Options.SemanticCandidates, Options.SimilarityThreshold, cancellationToken).ConfigureAwait(false))
            {
                if (!RequestEntities.Agree(entities, RequestEntities.Split(candidateEntities)))
                {
                    rejected = true;
                    continue;
                }

                if (await _semantic.ReadAsync(id, lookup.Scope, key.ContextKey, now, cancellationToken).ConfigureAwait(false) is { } entry
                    && RequestEntities.Agree(entities, RequestEntities.Split(entry.Entities)))
                {
                    return Found(lookup, Deserialize(Encoding.UTF8.GetBytes(entry.Response)), "semantic", started);
                }
            }

            if (rejected)
            {
                CostTelemetry.GuardRejections.Add(1);
            }

            return Missed(lookup, started);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CostLog.LookupFailed(_logger, e);
            return Missed(lookup, started);
        }
    }

    internal async Task StoreAsync(CacheLookup lookup, ChatResponse response, CancellationToken cancellationToken)
    {
        if (NotStorable(response) is { } reason)
        {
            CostTelemetry.Bypassed.Add(1, new KeyValuePair<string, object?>(CostTelemetry.ReasonTag, reason));
            return;
        }

        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(response, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)));
            await _exact.SetAsync(lookup.StorageKey, json, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = Options.TimeToLive }, cancellationToken).ConfigureAwait(false);
            if (_semantic is not null && lookup.Embedding is { } embedding && lookup.Key!.LastUserText is { } text)
            {
                var now = Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                await _semantic.UpsertAsync(new SemanticCacheEntry
                {
                    Id = lookup.Key.ExactKey,
                    Scope = lookup.Scope,
                    Context = lookup.Key.ContextKey,
                    Text = text,
                    Entities = RequestEntities.Join(lookup.Entities ?? []),
                    Response = Encoding.UTF8.GetString(json),
                    Created = now,
                    Expires = now + (long)Options.TimeToLive.TotalMilliseconds,
                    Embedding = embedding,
                }, now, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CostLog.StoreFailed(_logger, e);
        }
    }

    private string? NotStorable(ChatResponse response)
    {
        if (response.FinishReason == ChatFinishReason.Length || response.FinishReason == ChatFinishReason.ContentFilter)
        {
            return "incomplete";
        }

        var chars = 0;
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case FunctionCallContent call when !Options.SideEffectFreeTools.Contains(call.Name):
                        return "side_effect_tool_call";
                    case FunctionResultContent:
                        return "tool_result";
                    case TextContent text:
                        chars += text.Text.Length;
                        break;
                }
            }
        }

        return chars > Options.MaxResponseChars ? "too_large" : null;
    }

    private async Task<CacheLookup> PrepareAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string? modelId, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return CacheLookup.Bypass("empty");
        }

        if (CompletionCacheRequest.GetFlag(options, CompletionCacheRequest.NoCacheKey))
        {
            return CacheLookup.Bypass("opted_out");
        }

        // Server-side conversation state is part of the request but not of what the cache can see.
        if (options?.ConversationId is not null)
        {
            return CacheLookup.Bypass("conversation_state");
        }

        var caller = Options.ResolveCaller(options);
        var userData = CompletionCacheRequest.GetFlag(options, CompletionCacheRequest.UserDataKey)
            || messages.Any(m => m.Contents.Any(c => c is FunctionResultContent));
        if (userData && Options.Scope != CompletionCacheScope.UserSession)
        {
            return CacheLookup.Bypass("user_data_unscoped");
        }

        if (ScopeValue(Options.Scope, caller.AgentId, caller.SessionId) is not { } scope)
        {
            return CacheLookup.Bypass(Options.Scope == CompletionCacheScope.Agent ? "no_agent_id" : "no_session_id");
        }

        var key = CacheKeyBuilder.Build(messages, options, modelId, scope);
        var epoch = await TokenAsync(GenerationKey("*"), cancellationToken).ConfigureAwait(false);
        var generation = await TokenAsync(GenerationKey(scope), cancellationToken).ConfigureAwait(false);
        return new CacheLookup { Scope = scope, Key = key, StorageKey = $"{KeyPrefix}{epoch}:{generation}:{key.ExactKey}" };
    }

    private async Task<string> TokenAsync(string key, CancellationToken cancellationToken)
    {
        // A missing token (never set, or evicted) gets a fresh one, never a default: a default could make keys of an
        // invalidated generation reachable again.
        if (await _exact.GetStringAsync(key, cancellationToken).ConfigureAwait(false) is { } token)
        {
            return token;
        }

        token = NewToken();
        await _exact.SetStringAsync(key, token, cancellationToken).ConfigureAwait(false);
        return token;
    }

    private static string? ScopeValue(CompletionCacheScope scope, string? agentId, string? sessionId) => scope switch
    {
        CompletionCacheScope.Global => "global",
        CompletionCacheScope.Agent => agentId is null ? null : "agent:" + agentId,
        CompletionCacheScope.UserSession => sessionId is null ? null : $"session:{agentId}/{sessionId}",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown completion cache scope."),
    };

    private static string GenerationKey(string scope) => $"{KeyPrefix}generation:{scope}";

    private static string NewToken() => Guid.NewGuid().ToString("N")[..12];

    private static ChatResponse Deserialize(byte[] json) =>
        (ChatResponse?)JsonSerializer.Deserialize(json, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)))
        ?? throw new JsonException("A cached completion is null.");

    private static CacheLookup Found(CacheLookup lookup, ChatResponse response, string layer, long started)
    {
        (response.AdditionalProperties ??= [])[CompletionCacheRequest.ServedFromKey] = layer;
        CostTelemetry.Hits.Add(1, new KeyValuePair<string, object?>(CostTelemetry.LayerTag, layer));
        CostTelemetry.LookupDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return new CacheLookup { Scope = lookup.Scope, Key = lookup.Key, StorageKey = lookup.StorageKey, Hit = response, HitLayer = layer };
    }

    private static CacheLookup Missed(CacheLookup lookup, long started)
    {
        CostTelemetry.Misses.Add(1);
        CostTelemetry.LookupDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return lookup;
    }

    private async ValueTask<int> DimensionsAsync(CancellationToken cancellationToken)
    {
        if (_dimensions == 0)
        {
            var embeddings = _embeddings!;
            _dimensions = embeddings.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions
                ?? (await embeddings.GenerateAsync(["dimensions"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Length;
        }

        return _dimensions;
    }
}
