using System.Linq.Expressions;
using AgentKit.Abstractions.Search;
using AgentKit.Abstractions.Text;
using AgentKit.Rag.Ingestion;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Retrieval;

/// <summary>
/// Keyword ranking of chunks by BM25 over the query's words (stop words dropped, at most <see cref="MaxTerms"/>).
/// A collection that offers <see cref="IKeywordSearchable{TRecord}"/> (the SQLite store: FTS5, Porter-stemmed)
/// ranks exactly over the whole collection. Any other store is served by filtered reads: for each word, the chunks
/// whose <see cref="RagChunkRecord.Terms"/> contain the whole word are fetched (at most
/// <see cref="CandidatesPerTerm"/> each) and scored with BM25 (k1 = 1.2, b = 0.75), document frequencies coming from
/// those fetches (IDF ln(1 + (<see cref="CandidatesPerTerm"/> + 1) / df)), so on a large collection a common word's
/// best chunks can be missed.
/// </summary>
internal static class KeywordRanker
{
    public const int MaxTerms = 12;
    public const int CandidatesPerTerm = 200;
    private const double K1 = 1.2;
    private const double B = 0.75;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "how", "i", "if",
        "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "their", "then", "there",
        "these", "this", "to", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
    };

    /// <summary>The words of a query worth matching: lower-cased, distinct, stop words dropped (unless nothing else is left).</summary>
    public static List<string> QueryTerms(string query)
    {
        var words = WordTokenizer.Words(query).Distinct(StringComparer.Ordinal).ToList();
        var content = words.Where(w => !StopWords.Contains(w)).ToList();
        return (content.Count > 0 ? content : words).Take(MaxTerms).ToList();
    }

    public static async Task<List<RetrievedChunk>> RankAsync(
        VectorStoreCollection<Guid, RagChunkRecord> collection, string query, int top, Expression<Func<RagChunkRecord, bool>>? scope, bool includeVectors, CancellationToken cancellationToken)
    {
        var terms = QueryTerms(query);
        if (collection.GetService(typeof(IKeywordSearchable<RagChunkRecord>)) is IKeywordSearchable<RagChunkRecord> index)
        {
            var ranked = new List<RetrievedChunk>(top);
            var options = new KeywordSearchOptions<RagChunkRecord> { Filter = scope, IncludeVectors = includeVectors };
            await foreach (var result in index.KeywordSearchAsync(terms, top, options, cancellationToken).ConfigureAwait(false))
            {
                ranked.Add(RetrievedChunk.From(result.Record, result.Score ?? 0));
            }

            return ranked;
        }

        return await RankByTermsAsync(collection, terms, top, scope, includeVectors, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<RetrievedChunk>> RankByTermsAsync(
        VectorStoreCollection<Guid, RagChunkRecord> collection, List<string> terms, int top, Expression<Func<RagChunkRecord, bool>>? scope, bool includeVectors, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<Guid, RagChunkRecord>();
        var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
        var options = new FilteredRecordRetrievalOptions<RagChunkRecord> { IncludeVectors = includeVectors };
        foreach (var term in terms)
        {
            var padded = " " + term + " ";
            var filter = And(r => r.Terms.Contains(padded), scope);
            var count = 0;
            await foreach (var record in collection.GetAsync(filter, CandidatesPerTerm, options, cancellationToken).ConfigureAwait(false))
            {
                candidates.TryAdd(record.Id, record);
                count++;
            }

            frequencies[term] = count;
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var lengths = candidates.Values.ToDictionary(r => r.Id, r => WordTokenizer.Words(r.Text).Count());
        var averageLength = Math.Max(1.0, lengths.Values.Average());
        var scored = new List<RetrievedChunk>(candidates.Count);
        foreach (var record in candidates.Values)
        {
            var counts = WordTokenizer.Words(record.Section + " " + record.Text)
                .GroupBy(w => w, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var score = 0.0;
            foreach (var term in terms)
            {
                if (counts.TryGetValue(term, out var tf) && frequencies[term] > 0)
                {
                    var idf = Math.Log(1 + ((CandidatesPerTerm + 1.0) / frequencies[term]));
                    score += idf * tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * lengths[record.Id] / averageLength))));
                }
            }

            scored.Add(RetrievedChunk.From(record, score));
        }

        return scored
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Source, StringComparer.Ordinal)
            .ThenBy(c => c.ChunkIndex)
            .Take(top)
            .ToList();
    }

    /// <summary>Combines a filter with an optional scope into one lambda over the same parameter.</summary>
    internal static Expression<Func<RagChunkRecord, bool>> And(Expression<Func<RagChunkRecord, bool>> filter, Expression<Func<RagChunkRecord, bool>>? scope)
    {
        if (scope is null)
        {
            return filter;
        }

        var body = new Rebinder(scope.Parameters[0], filter.Parameters[0]).Visit(scope.Body);
        return Expression.Lambda<Func<RagChunkRecord, bool>>(Expression.AndAlso(filter.Body, body), filter.Parameters);
    }

    private sealed class Rebinder(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
