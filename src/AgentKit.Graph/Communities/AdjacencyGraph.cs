namespace AgentKit.Graph.Communities;

/// <summary>
/// Compressed sparse rows of an undirected weighted graph: the neighbours of node <c>v</c> are
/// <c>Targets[Offsets[v]..Offsets[v+1]]</c>, each edge stored in both directions; self-loops are kept apart in
/// <see cref="SelfLoops"/>. Every level of the community algorithms is one of these.
/// </summary>
internal sealed class AdjacencyGraph
{
    private AdjacencyGraph(int nodeCount, int edgeCount, int[] offsets, int[] targets, double[] weights, double[] selfLoops, double[] degrees, double totalWeight)
    {
        NodeCount = nodeCount;
        EdgeCount = edgeCount;
        Offsets = offsets;
        Targets = targets;
        Weights = weights;
        SelfLoops = selfLoops;
        Degrees = degrees;
        TotalWeight = totalWeight;
    }

    public int NodeCount { get; }

    /// <summary>Distinct edges, self-loops included.</summary>
    public int EdgeCount { get; }

    public int[] Offsets { get; }

    public int[] Targets { get; }

    public double[] Weights { get; }

    public double[] SelfLoops { get; }

    /// <summary>Weighted degree: the weights of the edges at the node, a self-loop counted twice.</summary>
    public double[] Degrees { get; }

    /// <summary>The sum of the edge weights, each self-loop once (<c>m</c>).</summary>
    public double TotalWeight { get; }

    public static long PairKey(int a, int b) =>
        a <= b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;

    public static AdjacencyGraph FromEdges(int nodeCount, List<long> pairs, List<double> weights)
    {
        var keys = pairs.ToArray();
        var values = weights.ToArray();
        Array.Sort(keys, values);

        var distinct = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (i > 0 && keys[i] == keys[distinct - 1])
            {
                values[distinct - 1] += values[i];
            }
            else
            {
                keys[distinct] = keys[i];
                values[distinct] = values[i];
                distinct++;
            }
        }

        var offsets = new int[nodeCount + 1];
        var selfLoops = new double[nodeCount];
        var totalWeight = 0.0;
        for (var i = 0; i < distinct; i++)
        {
            var (a, b) = Unpack(keys[i]);
            totalWeight += values[i];
            if (a == b)
            {
                selfLoops[a] += values[i];
            }
            else
            {
                offsets[a + 1]++;
                offsets[b + 1]++;
            }
        }

        for (var v = 0; v < nodeCount; v++)
        {
            offsets[v + 1] += offsets[v];
        }

        var targets = new int[offsets[nodeCount]];
        var edgeWeights = new double[targets.Length];
        var next = offsets[..nodeCount];
        for (var i = 0; i < distinct; i++)
        {
            var (a, b) = Unpack(keys[i]);
            if (a != b)
            {
                targets[next[a]] = b;
                edgeWeights[next[a]++] = values[i];
                targets[next[b]] = a;
                edgeWeights[next[b]++] = values[i];
            }
        }

        var degrees = new double[nodeCount];
        for (var v = 0; v < nodeCount; v++)
        {
            var degree = 2 * selfLoops[v];
            for (var e = offsets[v]; e < offsets[v + 1]; e++)
            {
                degree += edgeWeights[e];
            }

            degrees[v] = degree;
        }

        return new AdjacencyGraph(nodeCount, distinct, offsets, targets, edgeWeights, selfLoops, degrees, totalWeight);
    }

    /// <summary>
    /// The graph whose nodes are the communities of <paramref name="partition"/> (ids <c>0..communityCount-1</c>):
    /// edge weights between communities summed, the weight inside a community kept as its self-loop, so modularity
    /// of any partition of the aggregate equals that of the partition it stands for.
    /// </summary>
    public AdjacencyGraph Aggregate(int[] partition, int communityCount)
    {
        var members = Partitions.MembersByCommunity(partition, communityCount, out var starts);
        var offsets = new int[communityCount + 1];
        var targets = new int[Targets.Length];
        var weights = new double[Targets.Length];
        var selfLoops = new double[communityCount];
        var degrees = new double[communityCount];
        var accumulated = new double[communityCount];
        var seen = new int[communityCount];
        Array.Fill(seen, -1);
        var written = 0;
        var edgeCount = 0;
        for (var c = 0; c < communityCount; c++)
        {
            var first = written;
            var selfLoop = 0.0;
            var degree = 0.0;
            for (var i = starts[c]; i < starts[c + 1]; i++)
            {
                var v = members[i];
                selfLoop += SelfLoops[v];
                degree += Degrees[v];
                for (var e = Offsets[v]; e < Offsets[v + 1]; e++)
                {
                    var d = partition[Targets[e]];
                    if (d == c)
                    {
                        // Each inner edge is met from both of its ends.
                        selfLoop += Weights[e] / 2;
                    }
                    else if (seen[d] != c)
                    {
                        seen[d] = c;
                        accumulated[d] = Weights[e];
                        targets[written++] = d;
                    }
                    else
                    {
                        accumulated[d] += Weights[e];
                    }
                }
            }

            for (var e = first; e < written; e++)
            {
                weights[e] = accumulated[targets[e]];
                if (targets[e] > c)
                {
                    edgeCount++;
                }
            }

            if (selfLoop > 0)
            {
                edgeCount++;
            }

            selfLoops[c] = selfLoop;
            degrees[c] = degree;
            offsets[c + 1] = written;
        }

        return new AdjacencyGraph(communityCount, edgeCount, offsets, targets[..written], weights[..written], selfLoops, degrees, TotalWeight);
    }

    private static (int A, int B) Unpack(long key) => ((int)(key >> 32), (int)(key & 0xFFFF_FFFF));
}
