using AgentKit.Abstractions.Embeddings;

namespace AgentKit.Rag.Retrieval;

/// <summary>
/// Re-ranks candidates with an <see cref="IRelevanceScorer"/> as a second opinion on the first-stage ranking: each
/// candidate scores z(first-stage score) + <see cref="Weight"/> · z(scorer's score), both standardised over the
/// candidates, so the scorer reorders where it separates candidates clearly and the first stage (BM25's exact terms,
/// the pooled embedding) keeps its say elsewhere. The scorer reads each candidate's heading path and text. With
/// all-MiniLM-L6-v2's token embeddings (<c>MiniLMRelevanceScorer</c>), weight 2 over the default 20 candidates raised
/// hybrid Recall@5 on both benchmark question sets (docs/benchmarks.md). With an <see cref="IPassageEncodingScorer"/>,
/// candidates that have a stored code are scored from it (<see cref="IEncodedPassageReranker"/>): milliseconds instead of
/// one model run per candidate.
/// </summary>
public sealed class RelevanceScorerReranker : IEncodedPassageReranker
{
    /// <summary>The default <see cref="Weight"/>.</summary>
    public const double DefaultWeight = 2.0;

    private readonly IRelevanceScorer _scorer;

    /// <summary>Creates the re-ranker.</summary>
    /// <param name="scorer">Scores query and candidate together.</param>
    /// <param name="weight">The scorer's weight against the first stage's 1; from 0 (first stage only) to 100.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is out of range.</exception>
    public RelevanceScorerReranker(IRelevanceScorer scorer, double weight = DefaultWeight)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        if (double.IsNaN(weight) || weight is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The scorer's weight must be from 0 to 100.");
        }

        _scorer = scorer;
        Weight = weight;
    }

    /// <inheritdoc />
    public IPassageEncodingScorer? Encoder => _scorer as IPassageEncodingScorer;

    /// <summary>The scorer's weight; the first stage's is 1.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The scorer returned another number of scores than candidates, or a score that is not a finite number.</exception>
    public Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return ScoreAsync(query, candidates, new byte[]?[candidates.Count], cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">There are codes but the scorer encodes none, or not one code (or null) per candidate.</exception>
    /// <exception cref="InvalidDataException">A code is not one of the scorer's encoding (a damaged store); the message names the candidates' chunks.</exception>
    /// <exception cref="InvalidOperationException">The scorer returned another number of scores than asked, or a score that is not a finite number.</exception>
    public async Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, IReadOnlyList<byte[]?> codes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Count != candidates.Count)
        {
            throw new ArgumentException($"{codes.Count} codes for {candidates.Count} candidates; give one (or null) per candidate.", nameof(codes));
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var encoded = Enumerable.Range(0, codes.Count).Where(i => codes[i] is not null).ToList();
        if (encoded.Count > 0 && Encoder is null)
        {
            throw new ArgumentException("Codes were given but the relevance scorer encodes no passages (IPassageEncodingScorer).", nameof(codes));
        }

        var scored = new double[candidates.Count];
        if (encoded.Count > 0)
        {
            IReadOnlyList<double> fromCodes;
            try
            {
                fromCodes = await Encoder!.ScoreEncodedAsync(query, [.. encoded.Select(i => codes[i]!)], cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException e)
            {
                // The codes come from the store: name the chunks, not positions in a list the caller never saw.
                var chunks = string.Join(", ", encoded.Select(i => candidates[i].Citation).Distinct().Take(5));
                throw new InvalidDataException($"A stored chunk code among those of {chunks} cannot be read ({e.Message}); ingest those files again.", e);
            }

            Place(scored, encoded, fromCodes);
        }

        if (encoded.Count < candidates.Count)
        {
            var plain = Enumerable.Range(0, codes.Count).Where(i => codes[i] is null).ToList();
            var texts = plain.Select(i => candidates[i].Section.Length > 0 ? candidates[i].Section + "\n" + candidates[i].Text : candidates[i].Text).ToList();
            Place(scored, plain, await _scorer.ScoreAsync(query, texts, cancellationToken).ConfigureAwait(false));
        }

        var first = Fusion.Standardised(candidates.Select(c => c.Score).ToArray());
        var second = Fusion.Standardised(scored);
        var result = new double[candidates.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = first[i] + (Weight * second[i]);
        }

        return result;
    }

    private static void Place(double[] scores, List<int> at, IReadOnlyList<double> scored)
    {
        if (scored.Count != at.Count || scored.Any(s => !double.IsFinite(s)))
        {
            throw new InvalidOperationException($"The relevance scorer returned {scored.Count} scores for {at.Count} candidates, or a score that is not a finite number.");
        }

        for (var i = 0; i < at.Count; i++)
        {
            scores[at[i]] = scored[i];
        }
    }
}
