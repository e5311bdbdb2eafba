using System.Globalization;

namespace AgentKit.Graph.Communities;

/// <summary>Newman's modularity of a partition of a <see cref="WeightedGraph"/>.</summary>
public static class Modularity
{
    /// <summary>
    /// Computes <c>Q = Σ_c [ L_c / m − γ (K_c / 2m)² ]</c>, where <c>L_c</c> is the weight inside community <c>c</c>,
    /// <c>K_c</c> the sum of its nodes' degrees and <c>m</c> the graph's total weight; the same definition, self-loops
    /// included, as networkx's <c>modularity</c>. A graph without edge weight has modularity 0.
    /// </summary>
    /// <param name="graph">The graph.</param>
    /// <param name="membership">The community of each node: any non-negative ids, one per node.</param>
    /// <param name="resolution">γ; finite and not negative. Default 1.</param>
    /// <exception cref="ArgumentException">The membership has the wrong length or a negative id, or the resolution is invalid.</exception>
    public static double Compute(WeightedGraph graph, IReadOnlyList<int> membership, double resolution = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(membership);
        if (!double.IsFinite(resolution) || resolution < 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Resolution {resolution} must be a finite number, 0 or above."), nameof(resolution));
        }

        if (membership.Count != graph.NodeCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The membership lists {membership.Count} nodes; the graph has {graph.NodeCount}."), nameof(membership));
        }

        var dense = new int[membership.Count];
        var ids = new Dictionary<int, int>();
        for (var v = 0; v < dense.Length; v++)
        {
            var c = membership[v];
            if (c < 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Node {v} has community {c}; community ids must not be negative."), nameof(membership));
            }

            if (!ids.TryGetValue(c, out var id))
            {
                id = ids.Count;
                ids.Add(c, id);
            }

            dense[v] = id;
        }

        return Of(graph.Adjacency, dense, ids.Count, resolution);
    }

    /// <summary>Modularity of a dense partition (ids below <paramref name="communityCount"/>).</summary>
    internal static double Of(AdjacencyGraph graph, int[] partition, int communityCount, double resolution)
    {
        var m = graph.TotalWeight;
        if (m <= 0)
        {
            return 0;
        }

        var inside = new double[communityCount];
        var degree = new double[communityCount];
        for (var v = 0; v < graph.NodeCount; v++)
        {
            var c = partition[v];
            degree[c] += graph.Degrees[v];
            var weight = graph.SelfLoops[v];
            for (var e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
            {
                if (partition[graph.Targets[e]] == c)
                {
                    weight += graph.Weights[e] / 2;
                }
            }

            inside[c] += weight;
        }

        var q = 0.0;
        for (var c = 0; c < communityCount; c++)
        {
            var share = degree[c] / (2 * m);
            q += (inside[c] / m) - (resolution * share * share);
        }

        return q;
    }
}
