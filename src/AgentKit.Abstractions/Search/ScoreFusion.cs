namespace AgentKit.Abstractions.Search;

/// <summary>
/// Fusing the scores of two rankers over the same candidates (the hybrid idea RAG's retrieval uses): each side's
/// scores are standardised over the candidates, (s − mean) / standard deviation, and combined with a weight, so a
/// side whose best candidate stands far above the rest counts for more than one whose scores are flat.
/// </summary>
public static class ScoreFusion
{
    /// <summary>Standardises <paramref name="scores"/> in place; all-equal scores become 0.</summary>
    /// <param name="scores">One ranker's score per candidate.</param>
    public static void Standardize(Span<double> scores)
    {
        if (scores.IsEmpty)
        {
            return;
        }

        var mean = 0.0;
        foreach (var s in scores)
        {
            mean += s;
        }

        mean /= scores.Length;
        var variance = 0.0;
        foreach (var s in scores)
        {
            variance += (s - mean) * (s - mean);
        }

        var deviation = Math.Sqrt(variance / scores.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = deviation > 0 ? (scores[i] - mean) / deviation : 0;
        }
    }

    /// <summary>
    /// Z-score fusion: <c>w·z(keyword) + (1 − w)·z(semantic)</c> per candidate, written to <paramref name="destination"/>.
    /// Both inputs are standardised in place.
    /// </summary>
    /// <param name="semantic">Embedding similarity per candidate.</param>
    /// <param name="keyword">Keyword score per candidate (same order).</param>
    /// <param name="keywordWeight">The keyword side's weight, from 0 to 1.</param>
    /// <param name="destination">The fused score per candidate.</param>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ZScore(Span<double> semantic, Span<double> keyword, double keywordWeight, Span<double> destination)
    {
        if (semantic.Length != keyword.Length || destination.Length != semantic.Length)
        {
            throw new ArgumentException("The score lists must have one score per candidate each.", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(keywordWeight, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keywordWeight, 1.0);
        Standardize(semantic);
        Standardize(keyword);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (keywordWeight * keyword[i]) + ((1 - keywordWeight) * semantic[i]);
        }
    }
}
