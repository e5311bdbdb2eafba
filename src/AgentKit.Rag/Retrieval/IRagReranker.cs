namespace AgentKit.Rag.Retrieval;

/// <summary>Re-scores retrieved candidates for a query (for example by asking a chat model).</summary>
public interface IRagReranker
{
    /// <summary>Scores each candidate's relevance to the query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="candidates">The candidates, best first by the first-stage ranking.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One score per candidate, in the same order; higher is more relevant.</returns>
    Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default);
}
