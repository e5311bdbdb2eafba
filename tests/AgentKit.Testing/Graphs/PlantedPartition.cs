namespace AgentKit.Testing.Graphs;

/// <summary>
/// A planted-partition graph (a stochastic block model with equal groups): each pair of nodes in the same group is
/// linked with probability <c>pIn</c>, each other pair with <c>pOut</c>. The groups are the ground truth a community
/// detector should recover.
/// </summary>
/// <param name="NodeCount">Groups × group size; group <c>g</c> holds nodes <c>g·size .. (g+1)·size - 1</c>.</param>
/// <param name="Edges">The edges, each pair once, no self-loops.</param>
/// <param name="Truth">The group of each node.</param>
public sealed record PlantedPartition(int NodeCount, IReadOnlyList<(int A, int B)> Edges, IReadOnlyList<int> Truth)
{
    /// <summary>Draws a graph; the same arguments always give the same graph.</summary>
    /// <param name="groups">The number of groups.</param>
    /// <param name="groupSize">Nodes per group.</param>
    /// <param name="pIn">Edge probability inside a group.</param>
    /// <param name="pOut">Edge probability between groups.</param>
    /// <param name="seed">The random seed.</param>
    public static PlantedPartition Generate(int groups, int groupSize, double pIn, double pOut, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupSize);
        var random = new Random(seed);
        var edges = new List<(int, int)>();
        for (var g = 0; g < groups; g++)
        {
            for (var h = g; h < groups; h++)
            {
                var inside = g == h;
                long pairs = inside ? (long)groupSize * (groupSize - 1) / 2 : (long)groupSize * groupSize;
                // Skip over the pairs that get no edge with geometric jumps (Batagelj and Brandes 2005), so sparse
                // blocks cost their edges, not their pairs.
                foreach (var index in Draws(pairs, inside ? pIn : pOut, random))
                {
                    var (i, j) = inside ? TrianglePair(index) : ((int)(index / groupSize), (int)(index % groupSize));
                    edges.Add(((g * groupSize) + i, (h * groupSize) + j));
                }
            }
        }

        var truth = new int[groups * groupSize];
        for (var v = 0; v < truth.Length; v++)
        {
            truth[v] = v / groupSize;
        }

        return new PlantedPartition(truth.Length, edges, truth);
    }

    private static IEnumerable<long> Draws(long pairs, double p, Random random)
    {
        if (p <= 0)
        {
            yield break;
        }

        var logMiss = Math.Log(1 - p);
        for (var index = -1L; ;)
        {
            index += p >= 1 ? 1 : 1 + (long)Math.Floor(Math.Log(1 - random.NextDouble()) / logMiss);
            if (index >= pairs)
            {
                yield break;
            }

            yield return index;
        }
    }

    /// <summary>The pair <c>(i, j)</c>, <c>i &gt; j</c>, at <paramref name="index"/> of the strict lower triangle in row order.</summary>
    private static (int, int) TrianglePair(long index)
    {
        var i = (long)((1 + Math.Sqrt(1 + (8.0 * index))) / 2);
        while (i * (i - 1) / 2 > index)
        {
            i--;
        }

        while ((i + 1) * i / 2 <= index)
        {
            i++;
        }

        return ((int)i, (int)(index - (i * (i - 1) / 2)));
    }
}
