using System.Numerics.Tensors;

namespace AgentKit.Rag.Retrieval;

/// <summary>Rank fusion and diversification over result lists.</summary>
internal static class Fusion
{
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
                    ? (seen.Chunk.Vector.IsEmpty ? chunk : seen.Chunk, seen.Score + score)
                    : (chunk, score);
            }
        }

        return fused.Values
            .OrderByDescending(v => v.Score)
            .ThenBy(v => v.Chunk.Source, StringComparer.Ordinal)
            .ThenBy(v => v.Chunk.ChunkIndex)
            .Select(v => v.Chunk with { Score = v.Score })
            .ToList();
    }

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
