using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions.Embeddings;

/// <summary>
/// An <see cref="IRelevanceScorer"/> that encodes passages ahead of time: at ingestion, one model run over a passage
/// gives both its pooled embedding and a compact code of its token vectors; at query time, scoring stored codes needs a
/// model run over the query only, so re-ranking costs milliseconds instead of one model run per candidate.
/// </summary>
public interface IPassageEncodingScorer : IRelevanceScorer
{
    /// <summary>Names the model and the code format; codes made under another id must not be scored (re-encode them).</summary>
    string EncodingId { get; }

    /// <summary>Embeds and encodes passages in one model run each.</summary>
    /// <param name="passages">The passages, as they will be scored.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per passage, in the same order; the embedding is the one the model's embedding generator gives the same text.</returns>
    Task<IReadOnlyList<EncodedPassage>> EncodeAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default);

    /// <summary>Scores encoded passages against the query, as <see cref="IRelevanceScorer.ScoreAsync"/> scores their texts (up to the code's precision).</summary>
    /// <param name="query">The query.</param>
    /// <param name="codes">Codes from <see cref="EncodeAsync"/> under this <see cref="EncodingId"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One score per code, in the same order; comparable with scores of the same call only.</returns>
    /// <exception cref="FormatException">A code is not one of this encoding's (its index is named).</exception>
    Task<IReadOnlyList<double>> ScoreEncodedAsync(string query, IReadOnlyList<byte[]> codes, CancellationToken cancellationToken = default);
}

/// <summary>A passage's pooled embedding and the code of its token vectors.</summary>
/// <param name="Embedding">The pooled embedding.</param>
/// <param name="Code">The token vectors, encoded.</param>
public sealed record EncodedPassage(Embedding<float> Embedding, byte[] Code);
