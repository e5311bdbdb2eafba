using System.Diagnostics;
using System.Linq.Expressions;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Graph;
using AgentKit.Memory.Diagnostics;
using AgentKit.Memory.Read;
using AgentKit.Memory.Storage;

namespace AgentKit.Memory;

public sealed partial class AgentMemory
{
    /// <summary>
    /// Reads the memories that matter for <paramref name="query"/>: the <see cref="MemoryOptions.CandidateCount"/>
    /// nearest memories of the scope by vector search are rescored as
    /// w_recency·recency + w_importance·importance + w_relevance·relevance, each part min-max normalised over the
    /// candidates (recency = 0.995^hours since last access, relevance = cosine similarity), and the best that fit the
    /// token budget are returned, best first. They count as accessed now (written to the store in batches).
    /// </summary>
    /// <param name="scope">Whose memories.</param>
    /// <param name="query">What the memories should be relevant to.</param>
    /// <param name="options">Budget, result count and kinds; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The memories with their scores, best first.</returns>
    public async Task<IReadOnlyList<RetrievedMemory>> RecallAsync(MemoryScope scope, string query, RecallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        scope.Validate();
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        options ??= new RecallOptions();
        var budget = options.TokenBudget ?? _options.DefaultTokenBudget;
        ArgumentOutOfRangeException.ThrowIfNegative(budget, nameof(options));
        var maxResults = options.MaxResults ?? int.MaxValue;
        ArgumentOutOfRangeException.ThrowIfNegative(maxResults, nameof(options));

        var started = Stopwatch.GetTimestamp();
        using var activity = MemoryTelemetry.Start(MemoryTelemetry.ReadActivityName, scope.AgentId);
        try
        {
            var vector = await EmbedAsync(query, cancellationToken).ConfigureAwait(false);
            var ranked = await RankAsync(scope, query, vector, options.Kinds, cancellationToken).ConfigureAwait(false);
            var chosen = MemoryScoring.FitBudget(ranked, budget, maxResults);
            MemoryLog.Recalled(_logger, scope.AgentId, ranked.Count, chosen.Count);
            activity?.SetTag(TelemetryAttributes.MemoryCandidates, ranked.Count);
            activity?.SetTag(TelemetryAttributes.MemoryHits, chosen.Count);
            if (options.UpdateLastAccessed)
            {
                await TouchAsync(chosen, cancellationToken).ConfigureAwait(false);
            }

            return chosen;
        }
        catch (Exception e) when (AgentKitTelemetry.Fail(activity, e))
        {
            throw;
        }
        finally
        {
            MemoryTelemetry.RecordDuration(MemoryTelemetry.ReadActivityName, started);
        }
    }

    private async Task TouchAsync(List<RetrievedMemory> memories, CancellationToken cancellationToken)
    {
        if (memories.Count == 0)
        {
            return;
        }

        _access.Record(memories.Select(m => m.Record.Id), _time.GetUtcNow());
        if (_access.Count >= _options.AccessFlushBatchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<RetrievedMemory>> RankAsync(MemoryScope scope, string query, ReadOnlyMemory<float> vector, IReadOnlyList<MemoryKind>? kinds, CancellationToken cancellationToken)
    {
        var hits = await _collection.SearchAsync(vector, _options.CandidateCount, Filter(scope, kinds), cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var linked = await GraphLinkedAsync(scope, query, kinds, hits.Select(h => h.Record.Id).ToHashSet(), cancellationToken).ConfigureAwait(false);
        var candidates = new List<MemoryScoring.Candidate>(hits.Count + linked.Entities.Count);
        foreach (var entity in hits.Select(h => h.Record).Concat(linked.Entities))
        {
            // A memory the graph links to the query is relevant by that link even when its embedding is far from the query's.
            var similarity = Math.Max(MemoryScoring.Cosine(vector.Span, entity.Embedding.Span), linked.Scores.GetValueOrDefault(entity.Id));
            candidates.Add(new MemoryScoring.Candidate(entity.ToRecord(), _access.Effective(entity.Id, entity.LastAccessed), similarity));
        }

        return MemoryScoring.Rank(candidates, now, _options);
    }

    // The scope's memories the knowledge graph cites for the query, with the graph's score (at most 1); those already
    // among the vector hits get only the score. Memories of other agents or sessions are never read here.
    private async Task<(List<MemoryEntity> Entities, Dictionary<Guid, double> Scores)> GraphLinkedAsync(
        MemoryScope scope, string query, IReadOnlyList<MemoryKind>? kinds, HashSet<Guid> found, CancellationToken cancellationToken)
    {
        if (_graph is null || !_options.UseGraph)
        {
            return ([], []);
        }

        var context = await _graph.GetContextAsync(new GraphContextQuery { Question = query, EvidenceKind = GraphEvidenceKind.Memory }, cancellationToken).ConfigureAwait(false);
        var scores = new Dictionary<Guid, double>();
        foreach (var evidence in context.Evidence)
        {
            if (Guid.TryParse(evidence.Id, out var id))
            {
                scores[id] = Math.Max(scores.GetValueOrDefault(id), Math.Min(1, evidence.Score));
            }
        }

        var missing = scores.Keys.Where(id => !found.Contains(id)).ToList();
        if (missing.Count == 0)
        {
            return ([], scores);
        }

        var kindNames = kinds is { Count: > 0 } ? kinds.Select(MemoryEntity.KindName).ToHashSet(StringComparer.Ordinal) : null;
        var entities = await _collection.GetByIdsAsync(missing, includeVectors: true, cancellationToken).ConfigureAwait(false);
        return ([.. entities.Where(e => scope.Owns(e.ToRecord()) && (kindNames is null || kindNames.Contains(e.Kind)))], scores);
    }

    private static Expression<Func<MemoryEntity, bool>> Filter(MemoryScope scope, IReadOnlyList<MemoryKind>? kinds)
    {
        var agent = scope.AgentId;
        var session = scope.SessionId;
        if (kinds is null || kinds.Count == 0)
        {
            return scope.RestrictToSession
                ? e => e.AgentId == agent && e.SessionId == session
                : e => e.AgentId == agent;
        }

        var names = kinds.Distinct().Select(MemoryEntity.KindName).ToList();
        return scope.RestrictToSession
            ? e => e.AgentId == agent && e.SessionId == session && names.Contains(e.Kind)
            : e => e.AgentId == agent && names.Contains(e.Kind);
    }
}
