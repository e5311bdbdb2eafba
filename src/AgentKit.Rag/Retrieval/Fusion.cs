using System.Numerics.Tensors;

namespace AgentKit.Rag.Retrieval;

/// <summary>Rank fusion and diversification over result lists.</summary>
internal static class Fusion
{
    /// <summary>How deep hybrid search reads each side's ranking before fusing.</summary>
    public const int HybridDepth = 50;

    /// <summary>The weight of the keyword side in hybrid fusion; the vector side has the rest.</summary>
    public const double KeywordWeight = 0.5;

    /// <summary>The usual RRF constant: a result at rank r (from 1) in a list adds 1 / (60 + r).</summary>
    public const int RrfK = 60;

    /// <summary>Reciprocal rank fusion of several rankings into one, best first.</summary>
    public static List<RetrievedChunk> ReciprocalRank(params IReadOnlyList<RetrievedChunk>[] rankings)
    {
        var fused = new Dictionary<Guid, (RetrievedChunk Chunk, double Score)>();
        foreach (var ranking in rankings)
        {
            for (var i = 0; i < ranking.Count; i++)
            {
                var chunk = ranking[i];
                var score = 1.0 / (RrfK + i + 1);
                fused[chunk.Id] = fused.TryGetValue(chunk.Id, out var seen)
                    ? (Merge(seen.Chunk, chunk), seen.Score + score)
                    : (chunk, score);
            }
        }

        return Ordered(fused.Values);
    }

    /// <summary>
    /// Min-max score fusion: each ranking's scores are scaled to [0, 1] over its own list (absent: 0) and combined
    /// as <c>w·keyword + (1 − w)·vector</c>.
    /// </summary>
    public static List<RetrievedChunk> MinMax(IReadOnlyList<RetrievedChunk> vector, IReadOnlyList<RetrievedChunk> keyword, double keywordWeight) =>
        Combine(vector, keyword, keywordWeight, static scores =>
        {
            var min = scores.Min();
            var range = scores.Max() - min;
            return (scores.Select(s => range > 0 ? (s - min) / range : 1.0).ToArray(), 0.0);
        });

    /// <summary>
    /// Z-score fusion: each ranking's scores are standardised over its own list, (s − mean) / standard deviation,
    /// and combined as <c>w·keyword + (1 − w)·vector</c>; a chunk absent from a list gets that list's lowest z.
    /// </summary>
    public static List<RetrievedChunk> ZScore(IReadOnlyList<RetrievedChunk> vector, IReadOnlyList<RetrievedChunk> keyword, double keywordWeight) =>
        Combine(vector, keyword, keywordWeight, static scores =>
        {
            var z = Standardised(scores);
            return (z, z.Min());
        });

    /// <summary>z-scores, (s − mean) / standard deviation over <paramref name="scores"/>; all 0 when they do not differ.</summary>
    internal static double[] Standardised(double[] scores)
    {
        var mean = scores.Average();
        var deviation = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Length);
        return [.. scores.Select(s => deviation > 0 ? (s - mean) / deviation : 0.0)];
    }

    private static List<RetrievedChunk> Combine(
        IReadOnlyList<RetrievedChunk> vector, IReadOnlyList<RetrievedChunk> keyword, double keywordWeight, Func<double[], (double[] Normalised, double Absent)> normalise)
    {
        var fused = new Dictionary<Guid, (RetrievedChunk Chunk, double Vector, double Keyword)>();
        var (vectorScores, vectorAbsent) = vector.Count == 0 ? ([], 0) : normalise(vector.Select(c => c.Score).ToArray());
        var (keywordScores, keywordAbsent) = keyword.Count == 0 ? ([], 0) : normalise(keyword.Select(c => c.Score).ToArray());
        for (var i = 0; i < vector.Count; i++)
        {
            fused[vector[i].Id] = (vector[i], vectorScores[i], keywordAbsent);
        }

        for (var i = 0; i < keyword.Count; i++)
        {
            var chunk = keyword[i];
            fused[chunk.Id] = fused.TryGetValue(chunk.Id, out var seen)
                ? (Merge(seen.Chunk, chunk), seen.Vector, keywordScores[i])
                : (chunk, vectorAbsent, keywordScores[i]);
        }

        return Ordered(fused.Values.Select(v => (v.Chunk, (keywordWeight * v.Keyword) + ((1 - keywordWeight) * v.Vector))));
    }

    /// <summary>The copy that carries the vector (MMR needs it), when only one side loaded it.</summary>
    private static RetrievedChunk Merge(RetrievedChunk seen, RetrievedChunk other) => seen.Vector.IsEmpty ? other : seen;

    private static List<RetrievedChunk> Ordered(IEnumerable<(RetrievedChunk Chunk, double Score)> fused) =>
        fused
            .OrderByDescending(v => v.Score)
            .ThenBy(v => v.Chunk.Source, StringComparer.Ordinal)
            .ThenBy(v => v.Chunk.ChunkIndex)
            .Select(v => v.Chunk with { Score = v.Score })
            .ToList();

    /// <summary>
    /// Maximal marginal relevance: picks <paramref name="top"/> chunks from <paramref name="candidates"/> (best
    /// first), relevance being each candidate's score min-max normalised to [0, 1] over the candidates.
    /// </summary>
    public static List<RetrievedChunk> MaximalMarginalRelevance(IReadOnlyList<RetrievedChunk> candidates, int top, double lambda)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        var min = candidates.Min(c => c.Score);
        var range = candidates.Max(c => c.Score) - min;
        var relevance = candidates.Select(c => range > 0 ? (c.Score - min) / range : 1.0).ToArray();
        var remaining = Enumerable.Range(0, candidates.Count).ToList();
        var picked = new List<int>();
        while (picked.Count < top && remaining.Count > 0)
        {
            var best = -1;
            var bestValue = double.NegativeInfinity;
            foreach (var i in remaining)
            {
                var redundancy = picked.Count == 0 ? 0 : picked.Max(j => Similarity(candidates[i], candidates[j]));
                var value = (lambda * relevance[i]) - ((1 - lambda) * redundancy);
                if (value > bestValue)
                {
                    bestValue = value;
                    best = i;
                }
            }

            picked.Add(best);
            remaining.Remove(best);
        }

        return picked.Select(i => candidates[i]).ToList();
    }

    private static double Similarity(RetrievedChunk a, RetrievedChunk b) =>
        a.Vector.Length == 0 || a.Vector.Length != b.Vector.Length ? 0 : TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);
}
