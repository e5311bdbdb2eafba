namespace AgentKit.Rag.Retrieval;

/// <summary>How chunks are ranked against a query.</summary>
public enum RetrievalMode
{
    /// <summary>By embedding similarity only.</summary>
    Vector,

    /// <summary>By the query's words only (BM25-style).</summary>
    Keyword,

    /// <summary>Vector and keyword rankings fused by their z-scored scores (see <see cref="RagRetriever"/>). The default.</summary>
    Hybrid,
}

/// <summary>Per-call retrieval settings.</summary>
public sealed record RetrievalOptions
{
    /// <summary>The ranking. Default <see cref="RetrievalMode.Hybrid"/>.</summary>
    public RetrievalMode Mode { get; init; } = RetrievalMode.Hybrid;

    /// <summary>How many chunks to return. Default 5; from 1 to 100.</summary>
    public int Top { get; init; } = 5;

    /// <summary>
    /// Maximal marginal relevance: when set, results are picked one by one maximising
    /// λ·relevance − (1 − λ)·(highest cosine similarity to a chunk already picked), so near-duplicates give way to
    /// other content. 1 is pure relevance, 0 pure diversity; 0.5–0.7 is typical. Default <see langword="null"/> (off).
    /// </summary>
    public double? MmrLambda { get; init; }

    /// <summary>
    /// Whether the retriever's re-ranker (<see cref="RelevanceScorerReranker"/>, <see cref="PromptReranker"/> or your
    /// own <see cref="IRagReranker"/>) re-scores the candidates. Default false; needs a re-ranker.
    /// </summary>
    public bool Rerank { get; init; }

    /// <summary>
    /// How many candidates MMR and re-ranking choose from. Default 0: four times <see cref="Top"/>, at least 20.
    /// Ignored when neither is on.
    /// </summary>
    public int Candidates { get; init; }

    /// <summary>Only chunks from this source path (full path as ingested). Default <see langword="null"/>: all sources.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// Whether the retriever's knowledge graph (when it has one) adds the chunks it links to the question. Default
    /// true; it has no effect on a retriever without a graph.
    /// </summary>
    public bool UseGraph { get; init; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Top is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Top), Top, "Top must be from 1 to 100.");
        }

        if (MmrLambda is { } lambda && (double.IsNaN(lambda) || lambda is < 0 or > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MmrLambda), lambda, "MmrLambda must be from 0 to 1.");
        }

        if (Candidates is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(Candidates), Candidates, "Candidates must be from 0 to 1000.");
        }
    }

    internal int CandidateCount => MmrLambda is null && !Rerank ? Top : Math.Max(Candidates == 0 ? Math.Max(20, Top * 4) : Candidates, Top);
}
