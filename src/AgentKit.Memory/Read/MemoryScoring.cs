using System.Numerics.Tensors;

namespace AgentKit.Memory.Read;

/// <summary>
/// The retrieval function of Park et al. 2023 (§4.1): recency, importance and relevance, each min-max normalised over
/// the candidates, weighted and summed.
/// </summary>
internal static class MemoryScoring
{
    public readonly record struct Candidate(MemoryRecord Record, DateTimeOffset LastAccessed, double Similarity);

    /// <summary>0.995^(hours since <paramref name="lastAccessed"/>); a time in the future counts as now.</summary>
    public static double Recency(DateTimeOffset lastAccessed, DateTimeOffset now, double decayPerHour) =>
        Math.Pow(decayPerHour, Math.Max(0, (now - lastAccessed).TotalHours));

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length && a.Length > 0 ? TensorPrimitives.CosineSimilarity(a, b) : 0;

    /// <summary>Scores the candidates, best first (ties: more similar, then newer, then by id).</summary>
    public static List<RetrievedMemory> Rank(IReadOnlyList<Candidate> candidates, DateTimeOffset now, MemoryOptions options)
    {
        var count = candidates.Count;
        var recency = new double[count];
        var importance = new double[count];
        var relevance = new double[count];
        for (var i = 0; i < count; i++)
        {
            recency[i] = Recency(candidates[i].LastAccessed, now, options.RecencyDecayPerHour);
            importance[i] = candidates[i].Record.Importance;
            relevance[i] = candidates[i].Similarity;
        }

        Normalize(recency);
        Normalize(importance);
        Normalize(relevance);
        var ranked = new List<RetrievedMemory>(count);
        for (var i = 0; i < count; i++)
        {
            var record = candidates[i].Record with { LastAccessed = candidates[i].LastAccessed };
            var score = (options.RecencyWeight * recency[i]) + (options.ImportanceWeight * importance[i]) + (options.RelevanceWeight * relevance[i]);
            ranked.Add(new RetrievedMemory(record, score, recency[i], importance[i], relevance[i], candidates[i].Similarity, options.CountTokens(record.Text)));
        }

        ranked.Sort(static (a, b) =>
        {
            var order = b.Score.CompareTo(a.Score);
            if (order == 0)
            {
                order = b.Similarity.CompareTo(a.Similarity);
            }

            if (order == 0)
            {
                order = b.Record.Created.CompareTo(a.Record.Created);
            }

            return order != 0 ? order : a.Record.Id.CompareTo(b.Record.Id);
        });
        return ranked;
    }

    /// <summary>The best memories, in order, that fit the token budget: one that does not fit is skipped, smaller ones after it may still fit.</summary>
    public static List<RetrievedMemory> FitBudget(List<RetrievedMemory> ranked, int tokenBudget, int maxResults)
    {
        var chosen = new List<RetrievedMemory>();
        long left = tokenBudget;
        foreach (var memory in ranked)
        {
            if (chosen.Count >= maxResults)
            {
                break;
            }

            if (memory.Tokens <= left)
            {
                chosen.Add(memory);
                left -= memory.Tokens;
            }
        }

        return chosen;
    }

    /// <summary>
    /// Min-max normalisation to [0, 1]. When every value is the same the component cannot tell the candidates apart;
    /// each gets 1, so a lone candidate scores the sum of the weights rather than 0.
    /// </summary>
    internal static void Normalize(double[] values)
    {
        if (values.Length == 0)
        {
            return;
        }

        var min = values.Min();
        var range = values.Max() - min;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = range > 1e-12 ? (values[i] - min) / range : 1;
        }
    }
}
