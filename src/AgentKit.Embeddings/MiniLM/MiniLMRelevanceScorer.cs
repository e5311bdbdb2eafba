using System.Numerics.Tensors;
using AgentKit.Abstractions.Embeddings;

namespace AgentKit.Embeddings.MiniLM;

/// <summary>
/// Late interaction over a <see cref="MiniLMEmbeddingGenerator"/>'s model (ColBERT's MaxSim, zero-shot): the query and
/// each passage are encoded to one L2-normalised vector per word piece, each query word piece is matched with its most
/// similar word piece of the passage, and the passage scores the mean of those best cosines. Unlike the pooled
/// embedding, it keeps which words of the passage answer which words of the query, so it tells apart passages that
/// a pooled embedding ranks alike (two pages of one section). The model was trained for pooled embeddings, not for
/// this: as a score of its own it ranks about as well as the pooled cosine, and it pays as a second opinion on a
/// first-stage ranking (<c>AgentKit.Rag</c>'s <c>RelevanceScorerReranker</c>; figures in docs/benchmarks.md).
/// As an <see cref="IPassageEncodingScorer"/> it also encodes passages at ingestion (two bits per dimension of each word
/// piece's vector, 96 bytes per word piece) and scores those codes with a model run over the query only.
/// </summary>
/// <remarks>
/// Cost of <see cref="ScoreAsync"/>: one model run per passage, as embedding it would (batched like <see cref="MiniLMEmbeddingGenerator"/>), against
/// one per query for the pooled embedding: 1.2–2 s for 20 passages of ~250 word pieces on the 2-core benchmark
/// machine. Inputs longer than the model reads keep their first
/// <see cref="MiniLMEmbeddingGenerator.MaxInputTokens"/> − 2 word pieces, whatever
/// <see cref="MiniLMEmbeddingGeneratorOptions.TruncateLongInputs"/> says (a score is asked of a passage, not of its
/// embedding). No query instruction is added, whatever the model. <see cref="ScoreEncodedAsync"/> costs one model run
/// over the query and a few milliseconds for 20 passages.
/// </remarks>
public sealed class MiniLMRelevanceScorer : IPassageEncodingScorer
{
    private readonly MiniLMEmbeddingGenerator _generator;

    /// <summary>Creates a scorer that runs <paramref name="generator"/>'s model (and shares its session).</summary>
    /// <param name="generator">The generator; the scorer must not outlive it.</param>
    public MiniLMRelevanceScorer(MiniLMEmbeddingGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
        EncodingId = $"{generator.ModelId}/maxsim-{TokenCodes.Format}bit";
    }

    /// <inheritdoc />
    public string EncodingId { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A passage is null, there are more than the generator's <see cref="MiniLMEmbeddingGeneratorOptions.MaxInputsPerRequest"/>, or one is too long and truncation is off (<see cref="EmbeddingInputTooLongException"/>).</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public async Task<IReadOnlyList<EncodedPassage>> EncodeAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default) =>
        await _generator.EncodeAsync(passages, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The query is empty or a code is null.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public Task<IReadOnlyList<double>> ScoreEncodedAsync(string query, IReadOnlyList<byte[]> codes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ThrowIfAnyNull(codes, "Passage code", nameof(codes));
        for (var i = 0; i < codes.Count; i++)
        {
            TokenCodes.Validate(codes[i], i);
        }

        return codes.Count == 0
            ? Task.FromResult<IReadOnlyList<double>>([])
            : Task.Run<IReadOnlyList<double>>(() =>
            {
                var queryTokens = _generator.EmbedTokens([_generator.Tokenize(0, query, truncate: true)], cancellationToken)[0];

                // One buffer of the most word pieces a code can hold, decoded into passage after passage.
                var buffer = new float[MiniLMEmbeddingGenerator.MaxInputTokens - 2][];
                var scores = new double[codes.Count];
                for (var i = 0; i < scores.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    scores[i] = MaxSim(queryTokens, buffer, TokenCodes.Decode(codes[i], buffer));
                }

                return scores;
            }, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The query is empty, a passage is null, or there are more passages than the generator's <see cref="MiniLMEmbeddingGeneratorOptions.MaxInputsPerRequest"/> − 1.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(passages);
        var limit = _generator.Options.MaxInputsPerRequest - 1;
        if (passages.Count > limit)
        {
            throw new ArgumentException($"{passages.Count} passages to score, over the limit of {limit} (MiniLMEmbeddingGeneratorOptions.MaxInputsPerRequest − 1); score them in smaller calls.", nameof(passages));
        }

        ThrowIfAnyNull(passages, "Passage", nameof(passages));
        return passages.Count == 0
            ? Task.FromResult<IReadOnlyList<double>>([])
            : Task.Run<IReadOnlyList<double>>(() => Score(query, passages, cancellationToken), cancellationToken);
    }

    private double[] Score(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        var tokenized = new int[passages.Count + 1][];
        tokenized[0] = _generator.Tokenize(0, query, truncate: true);
        for (var i = 0; i < passages.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tokenized[i + 1] = _generator.Tokenize(i + 1, passages[i], truncate: true);
        }

        var tokens = _generator.EmbedTokens(tokenized, cancellationToken);
        var queryTokens = tokens[0];
        var scores = new double[passages.Count];
        for (var i = 0; i < passages.Count; i++)
        {
            scores[i] = MaxSim(queryTokens, tokens[i + 1], tokens[i + 1].Length);
        }

        return scores;
    }

    private static void ThrowIfAnyNull<T>(IReadOnlyList<T> items, string what, string parameter)
        where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw new ArgumentException($"{what} {i} is null.", parameter);
            }
        }
    }

    /// <summary>The mean over the query's word pieces of their best cosine with one of the passage's first <paramref name="count"/> word pieces; 0 when either has none.</summary>
    private static double MaxSim(float[][] query, float[][] passage, int count)
    {
        if (query.Length == 0 || count == 0)
        {
            return 0;
        }

        double total = 0;
        foreach (var q in query)
        {
            var best = float.MinValue;
            for (var p = 0; p < count; p++)
            {
                best = Math.Max(best, TensorPrimitives.Dot(q, passage[p]));
            }

            total += best;
        }

        return total / query.Length;
    }
}
