using AgentKit.Abstractions.Embeddings;

namespace AgentKit.Rag.Retrieval;

/// <summary>
/// An <see cref="IRagReranker"/> that scores candidates from their stored token codes
/// (<see cref="Ingestion.RagChunkCodeRecord"/>) where they have one, so that re-ranking needs no model run over them.
/// A <see cref="RagRetriever"/> given a code collection passes each candidate's code of <see cref="Encoder"/>'s
/// encoding; a knowledge base has its chunks encoded at ingestion by <see cref="Encoder"/>.
/// </summary>
public interface IEncodedPassageReranker : IRagReranker
{
    /// <summary>The encoder whose codes the re-ranker reads; null when it reads none.</summary>
    IPassageEncodingScorer? Encoder { get; }

    /// <summary>Scores each candidate's relevance to the query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="candidates">The candidates, best first by the first-stage ranking.</param>
    /// <param name="codes">Each candidate's code of <see cref="Encoder"/>'s encoding, or null where it has none (scored from its text).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One score per candidate, in the same order; higher is more relevant.</returns>
    Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, IReadOnlyList<byte[]?> codes, CancellationToken cancellationToken = default);
}
