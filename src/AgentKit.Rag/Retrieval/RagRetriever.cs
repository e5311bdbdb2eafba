using System.Diagnostics;
using System.Numerics.Tensors;
using System.Linq.Expressions;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Rag.Diagnostics;
using AgentKit.Rag.Ingestion;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Retrieval;

/// <summary>
/// Finds the chunks that answer a query in a collection of <see cref="RagChunkRecord"/>: by vector, by keyword, or
/// hybrid (both rankings fused by their standardised scores), then optionally re-ranked by an
/// <see cref="IRagReranker"/> and diversified by maximal marginal relevance. Chunks flagged as tables of contents or
/// indexes (<see cref="RagChunkRecord.Navigation"/>) are never returned.
/// </summary>
/// <remarks>
/// Keyword mode ranks by BM25: exactly over the whole collection on a store that offers
/// <see cref="AgentKit.Abstractions.Search.IKeywordSearchable{TRecord}"/> (the SQLite store's FTS5 index, stemmed),
/// else over whole-word candidates read with string <c>Contains</c> filters (see <c>KeywordRanker</c>).
/// Hybrid mode takes the top <c>max(Top, 50)</c> of the vector ranking and of that same keyword ranking, turns each
/// side's scores into z-scores over its own list, and ranks by their mean (a chunk missing from one list gets that
/// list's lowest z-score). A side whose best hit stands far above the rest of its list (an exact rare term for BM25)
/// keeps it near the top even when the other side does not have it at all; a side with flat scores moves little.
/// With a passage collection, the vector side scores each chunk by 0.7 of its best passage's cosine
/// (<see cref="RagPassageRecord"/>) plus 0.3 of its own.
/// </remarks>
public sealed class RagRetriever
{
    /// <summary>Passages read per chunk asked for when vector search also searches passages.</summary>
    private const int PassagesPerChunk = 4;

    /// <summary>
    /// The weight of a chunk's best passage in its vector score, the chunk's own cosine having the rest: of max, mean,
    /// 0.3 and 0.7, the best vector-mode Recall@5 and MRR@5 on both benchmark question sets (docs/benchmarks.md).
    /// </summary>
    private const double PassageWeight = 0.7;

    // Marks the question as a search query, for models trained with a query instruction.
    private static readonly EmbeddingGenerationOptions s_queryOptions = EmbeddingInputKind.ForQueries();

    private readonly VectorStoreCollection<Guid, RagChunkRecord> _collection;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly IRagReranker? _reranker;
    private readonly IGraphContextSource? _graph;
    private readonly VectorStoreCollection<Guid, RagPassageRecord>? _passages;
    private readonly VectorStoreCollection<Guid, RagChunkCodeRecord>? _codes;

    /// <summary>Creates a retriever.</summary>
    /// <param name="collection">The chunk collection.</param>
    /// <param name="embedder">The embedding generator the chunks were ingested with.</param>
    /// <param name="reranker">Re-scores candidates when <see cref="RetrievalOptions.Rerank"/> is set; none when null.</param>
    /// <param name="graph">
    /// A knowledge graph over the same chunks (AgentKit.Graph): when given and <see cref="RetrievalOptions.UseGraph"/>
    /// is on, the chunks that state facts about the question's entities and their neighbours are fused with the
    /// vector/keyword ranking (reciprocal rank fusion), so a chunk linked to the question only through an entity
    /// named elsewhere can still be retrieved. None when null.
    /// </param>
    /// <param name="passages">
    /// The chunks' passages (<see cref="RagChunkStore.OpenPassagesAsync"/>, written by a <see cref="RagIngestor"/>
    /// given the same collection): vector search also searches them, and a chunk's score mixes its best passage's
    /// cosine (0.7) with its own (0.3). None when null.
    /// </param>
    /// <param name="codes">
    /// The chunks' token codes (<see cref="RagChunkStore.OpenCodesAsync"/>, written by a <see cref="RagIngestor"/>
    /// given the same collection): an <see cref="IEncodedPassageReranker"/> scores candidates from their codes of its
    /// encoder's encoding, and the rest from their text. None when null.
    /// </param>
    public RagRetriever(
        VectorStoreCollection<Guid, RagChunkRecord> collection,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        IRagReranker? reranker = null,
        IGraphContextSource? graph = null,
        VectorStoreCollection<Guid, RagPassageRecord>? passages = null,
        VectorStoreCollection<Guid, RagChunkCodeRecord>? codes = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(embedder);
        _collection = collection;
        _embedder = embedder;
        _reranker = reranker;
        _graph = graph;
        _passages = passages;
        _codes = codes;
    }

    /// <summary>Retrieves the chunks most relevant to a query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="options">Mode, count, MMR and re-ranking; defaults (hybrid, top 5) when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>At most <see cref="RetrievalOptions.Top"/> chunks, best first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    /// <exception cref="InvalidOperationException">Re-ranking was asked for but the retriever has no re-ranker.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        options ??= new RetrievalOptions();
        options.Validate();
        if (options.Rerank && _reranker is null)
        {
            throw new InvalidOperationException("Re-ranking was requested (RetrievalOptions.Rerank) but this RagRetriever was created without an IRagReranker.");
        }

        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity(options);
        var count = options.CandidateCount;
        var withVectors = options.MmrLambda is not null;
        var scope = Scope(options.Source);
        List<RetrievedChunk> candidates = options.Mode switch
        {
            RetrievalMode.Vector => await VectorAsync(await EmbedAsync(query, cancellationToken).ConfigureAwait(false), count, options.Source, withVectors, cancellationToken).ConfigureAwait(false),
            RetrievalMode.Keyword => await KeywordRanker.RankAsync(_collection, query, count, scope, withVectors, cancellationToken).ConfigureAwait(false),
            _ => await HybridAsync(query, count, options.Source, withVectors, cancellationToken).ConfigureAwait(false),
        };

        if (_graph is not null && options.UseGraph)
        {
            var linked = await GraphAsync(query, count, options.Source, withVectors, cancellationToken).ConfigureAwait(false);
            if (linked.Count > 0)
            {
                candidates = Fusion.ReciprocalRank(candidates, linked).Take(count).ToList();
            }
        }

        if (options.Rerank && candidates.Count > 0)
        {
            var scores = _codes is not null && _reranker is IEncodedPassageReranker { Encoder: { } encoder } encoded
                ? await encoded.ScoreAsync(query, candidates, await CodesAsync(candidates, encoder.EncodingId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                : await _reranker!.ScoreAsync(query, candidates, cancellationToken).ConfigureAwait(false);
            if (scores.Count != candidates.Count)
            {
                throw new InvalidOperationException($"The re-ranker returned {scores.Count} scores for {candidates.Count} candidates.");
            }

            // Ties keep the first-stage order (OrderBy is stable).
            candidates = candidates.Select((c, i) => c with { Score = scores[i] }).OrderByDescending(c => c.Score).ToList();
        }

        var results = options.MmrLambda is { } lambda
            ? Fusion.MaximalMarginalRelevance(candidates, options.Top, lambda)
            : candidates.Take(options.Top).ToList();
        activity?.SetTag(TelemetryAttributes.RagCandidates, candidates.Count);
        activity?.SetTag(TelemetryAttributes.RagHits, results.Count);
        RecordMetrics(options, started, results.Count);
        return results;
    }

    /// <summary>
    /// Each candidate's stored code of the encoding, or null where it has none (ingested before codes were kept, under
    /// another encoding, or a code left from another version of the chunk's text).
    /// </summary>
    private async Task<byte[]?[]> CodesAsync(List<RetrievedChunk> candidates, string encoding, CancellationToken cancellationToken)
    {
        var codes = new Dictionary<Guid, RagChunkCodeRecord>(candidates.Count);
        await foreach (var record in _codes!.GetAsync(candidates.Select(c => c.Id).Distinct(), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            codes[record.Id] = record;
        }

        return [.. candidates.Select(c => codes.GetValueOrDefault(c.Id) is { } r && r.Encoding == encoding && r.ContentHash == c.ContentHash && r.Code.Length > 0 ? r.Code : null)];
    }

    private Activity? StartActivity(RetrievalOptions options)
    {
        var activity = RagTelemetry.Source.StartActivity(RagTelemetry.RetrieveActivityName, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = $"{RagTelemetry.RetrieveActivityName} {_collection.Name}";
        activity.SetTag(TelemetryAttributes.DataSourceId, _collection.Name);
        activity.SetTag("db.system.name", _collection.GetService(typeof(VectorStoreCollectionMetadata)) is VectorStoreCollectionMetadata metadata ? metadata.VectorStoreSystemName : null);
        activity.SetTag(TelemetryAttributes.RagMode, options.Mode.ToString());
        activity.SetTag(TelemetryAttributes.RagTop, options.Top);
        activity.SetTag(TelemetryAttributes.RagRerank, options.Rerank);
        return activity;
    }

    private void RecordMetrics(RetrievalOptions options, long started, int hits)
    {
        if (!RagTelemetry.RetrievalDuration.Enabled && !RagTelemetry.RetrievalHits.Enabled)
        {
            return;
        }

        var collection = new KeyValuePair<string, object?>(TelemetryAttributes.DataSourceId, _collection.Name);
        var mode = new KeyValuePair<string, object?>(TelemetryAttributes.RagMode, options.Mode.ToString());
        RagTelemetry.RetrievalDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, collection, mode);
        RagTelemetry.RetrievalHits.Record(hits, collection, mode);
    }

    /// <summary>What may be retrieved: content chunks (not tables of contents or indexes), of one source when given.</summary>
    private static Expression<Func<RagChunkRecord, bool>> Scope(string? source) =>
        source is null ? r => !r.Navigation : r => r.Source == source && !r.Navigation;

    private async Task<ReadOnlyMemory<float>> EmbedAsync(string query, CancellationToken cancellationToken) =>
        (await _embedder.GenerateAsync([query], s_queryOptions, cancellationToken).ConfigureAwait(false))[0].Vector;

    private async Task<List<RetrievedChunk>> VectorAsync(
        ReadOnlyMemory<float> vector, int count, string? source, bool withVectors, CancellationToken cancellationToken)
    {
        var options = new VectorSearchOptions<RagChunkRecord> { Filter = Scope(source), IncludeVectors = withVectors };
        var results = new List<RetrievedChunk>(count);
        await foreach (var result in _collection.SearchAsync(vector, count, options, cancellationToken).ConfigureAwait(false))
        {
            results.Add(RetrievedChunk.From(result.Record, result.Score ?? 0));
        }

        return _passages is null ? results : await WithPassagesAsync(vector, results, count, source, withVectors, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Re-scores the chunk ranking with the passages: each chunk scores
    /// <see cref="PassageWeight"/>·(its best passage's cosine) + (1 − <see cref="PassageWeight"/>)·(its own cosine).
    /// The top passages (<see cref="PassagesPerChunk"/> per chunk asked for) give the best passage of the chunks they
    /// belong to; a chunk none of them belongs to gets the lower of its own cosine and the last passage read (its best
    /// passage can be no closer). Chunks found only through a passage are read from the collection, with their
    /// vectors, for their own cosine.
    /// </summary>
    private async Task<List<RetrievedChunk>> WithPassagesAsync(
        ReadOnlyMemory<float> vector, List<RetrievedChunk> byChunk, int count, string? source, bool withVectors, CancellationToken cancellationToken)
    {
        Expression<Func<RagPassageRecord, bool>> scope = source is null ? p => !p.Navigation : p => p.Source == source && !p.Navigation;
        var best = new Dictionary<Guid, double>();
        var lowest = double.PositiveInfinity;
        await foreach (var hit in _passages!.SearchAsync(vector, count * PassagesPerChunk, new VectorSearchOptions<RagPassageRecord> { Filter = scope }, cancellationToken).ConfigureAwait(false))
        {
            // Hits come best first: the first one of a chunk is its best.
            var score = hit.Score ?? 0;
            best.TryAdd(hit.Record.ChunkId, score);
            lowest = Math.Min(lowest, score);
        }

        var own = byChunk.ToDictionary(c => c.Id, c => c.Score);
        var chunks = byChunk.ToDictionary(c => c.Id);
        var missing = best.Keys.Where(k => !chunks.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            await foreach (var record in _collection.GetAsync(missing, new RecordRetrievalOptions { IncludeVectors = true }, cancellationToken).ConfigureAwait(false))
            {
                if (!record.Navigation && (source is null || record.Source == source))
                {
                    own[record.Id] = record.Vector.Length == vector.Length ? TensorPrimitives.CosineSimilarity(record.Vector.Span, vector.Span) : 0;
                    chunks[record.Id] = RetrievedChunk.From(withVectors ? record : WithoutVector(record), 0);
                }
            }
        }

        return chunks.Values
            .Select(c =>
            {
                var passage = best.TryGetValue(c.Id, out var found) ? found : Math.Min(own[c.Id], lowest);
                return c with { Score = (PassageWeight * passage) + ((1 - PassageWeight) * own[c.Id]) };
            })
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Source, StringComparer.Ordinal)
            .ThenBy(c => c.ChunkIndex)
            .Take(count)
            .ToList();
    }

    private static RagChunkRecord WithoutVector(RagChunkRecord record)
    {
        record.Vector = ReadOnlyMemory<float>.Empty;
        return record;
    }

    // The chunks the graph cites for the question, in the graph's order, limited to what the scope allows.
    private async Task<List<RetrievedChunk>> GraphAsync(string query, int count, string? source, bool withVectors, CancellationToken cancellationToken)
    {
        var context = await _graph!.GetContextAsync(new GraphContextQuery { Question = query, EvidenceKind = GraphEvidenceKind.Chunk, MaxEvidence = count }, cancellationToken).ConfigureAwait(false);
        return await ChunksAsync(context.Evidence.Select(e => e.Id), source, withVectors, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The chunks with the given keys (as a knowledge graph cites its evidence), in the order given: keys that are not
    /// chunk keys or name no chunk, and navigation chunks (tables of contents, indexes), are skipped. A chunk's
    /// <see cref="RetrievedChunk.Score"/> is 1/rank.
    /// </summary>
    /// <param name="keys">The chunk keys, as strings.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The chunks found.</returns>
    public async Task<IReadOnlyList<RetrievedChunk>> GetChunksAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return await ChunksAsync(keys, null, withVectors: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<RetrievedChunk>> ChunksAsync(IEnumerable<string> ids, string? source, bool withVectors, CancellationToken cancellationToken)
    {
        var keys = ids.Select(id => Guid.TryParse(id, out var key) ? key : Guid.Empty).Where(k => k != Guid.Empty).Distinct().ToList();
        if (keys.Count == 0)
        {
            return [];
        }

        var records = new Dictionary<Guid, RagChunkRecord>();
        await foreach (var record in _collection.GetAsync(keys, new RecordRetrievalOptions { IncludeVectors = withVectors }, cancellationToken).ConfigureAwait(false))
        {
            if (!record.Navigation && (source is null || record.Source == source))
            {
                records[record.Id] = record;
            }
        }

        return [.. keys.Where(records.ContainsKey).Select((k, i) => RetrievedChunk.From(records[k], 1.0 / (i + 1)))];
    }

    private async Task<List<RetrievedChunk>> HybridAsync(string query, int count, string? source, bool withVectors, CancellationToken cancellationToken)
    {
        var scope = Scope(source);
        // Each side ranks deeper than asked, so its scores are standardised over a list long enough to show whether
        // its top hits stand out. The keyword side is exactly the keyword mode's ranking.
        var depth = Math.Max(count, Fusion.HybridDepth);
        var vector = await EmbedAsync(query, cancellationToken).ConfigureAwait(false);
        var byVector = await VectorAsync(vector, depth, source, withVectors, cancellationToken).ConfigureAwait(false);
        var byKeyword = await KeywordRanker.RankAsync(_collection, query, depth, scope, withVectors, cancellationToken).ConfigureAwait(false);
        return Fusion.ZScore(byVector, byKeyword, Fusion.KeywordWeight).Take(count).ToList();
    }
}
