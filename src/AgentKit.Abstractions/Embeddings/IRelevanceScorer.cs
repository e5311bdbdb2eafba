namespace AgentKit.Abstractions.Embeddings;

/// <summary>
/// Scores how well passages match a query by reading the query's and each passage's tokens together (late interaction
/// over token embeddings, or a cross-encoder), which one pooled embedding per text cannot do. An embedding generator
/// whose model can do this offers it through <c>GetService(typeof(IRelevanceScorer))</c>; re-rankers use it.
/// </summary>
public interface IRelevanceScorer
{
    /// <summary>Scores each passage against the query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="passages">The passages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One score per passage, in the same order; higher is more relevant; comparable only within one call.</returns>
    Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default);
}
