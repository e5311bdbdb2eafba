using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Abstractions.Search;

/// <summary>
/// A vector store collection that ranks its records by the words they contain, with BM25 over a full-text index of
/// the whole collection (document frequencies and lengths exact, not estimated from a sample). Collections offer it
/// through <c>GetService(typeof(IKeywordSearchable&lt;TRecord&gt;))</c>; RAG's keyword and hybrid retrieval use it
/// when offered.
/// </summary>
/// <typeparam name="TRecord">The record type.</typeparam>
public interface IKeywordSearchable<TRecord>
    where TRecord : class
{
    /// <summary>Ranks the records that contain any of <paramref name="keywords"/>, best first.</summary>
    /// <param name="keywords">The words to match; each is matched as a phrase of the index's tokens (stemmed when the index stems).</param>
    /// <param name="top">How many records to return, at least 1.</param>
    /// <param name="options">Filter, text property and vectors; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>At most <paramref name="top"/> records with their BM25 scores (higher is better); none when no keyword matches.</returns>
    IAsyncEnumerable<VectorSearchResult<TRecord>> KeywordSearchAsync(ICollection<string> keywords, int top, KeywordSearchOptions<TRecord>? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Per-call settings of <see cref="IKeywordSearchable{TRecord}.KeywordSearchAsync"/>.</summary>
/// <typeparam name="TRecord">The record type.</typeparam>
public sealed class KeywordSearchOptions<TRecord>
{
    /// <summary>Only records passing this filter are ranked. Default <see langword="null"/>: all.</summary>
    public Expression<Func<TRecord, bool>>? Filter { get; init; }

    /// <summary>The full-text indexed property to search; needed only when the record has several. Default <see langword="null"/>.</summary>
    public Expression<Func<TRecord, object?>>? TextProperty { get; init; }

    /// <summary>Whether the records come back with their vectors. Default false.</summary>
    public bool IncludeVectors { get; init; }
}
