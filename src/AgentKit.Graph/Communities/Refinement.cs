namespace AgentKit.Graph.Communities;

/// <summary>
/// Leiden's refinement phase (Traag et al. 2019, MergeNodesSubset): inside each community of the moved partition,
/// start from singletons and let each well-connected node that is still alone join a well-connected
/// sub-community it links to, chosen at random with probability ∝ <c>exp(gain / θ)</c> among those that do not
/// lower modularity. Sub-communities only ever grow by a node linked to them, so each is connected; the aggregate
/// graph is built on them.
/// </summary>
internal static class Refinement
{
    /// <summary>Returns the refined partition with dense ids; <paramref name="refinedCount"/> is their count.</summary>
    /// <param name="graph">The level's graph.</param>
    /// <param name="partition">The moved partition, dense ids below <paramref name="communityCount"/>.</param>
    /// <param name="communityCount">The number of communities in <paramref name="partition"/>.</param>
    /// <param name="scale">γ / 2m.</param>
    /// <param name="randomness">θ, in edge-weight units.</param>
    /// <param name="tolerance">Rounding slack for the ≥ comparisons.</param>
    /// <param name="random">The run's random source.</param>
    /// <param name="refinedCount">The number of refined communities.</param>
    /// <param name="cancellationToken">Checked once per community and every 1024 nodes.</param>
    public static int[] Refine(
        AdjacencyGraph graph,
        int[] partition,
        int communityCount,
        double scale,
        double randomness,
        double tolerance,
        Random random,
        out int refinedCount,
        CancellationToken cancellationToken)
    {
        var n = graph.NodeCount;
        var refined = new int[n];
        var refinedDegree = new double[n];
        var refinedSize = new int[n];
        // w(C, S - C) for each refined community C inside its community S; a singleton's is its own.
        var external = new double[n];
        var nodeExternal = new double[n];
        var communityDegree = new double[communityCount];
        for (var v = 0; v < n; v++)
        {
            refined[v] = v;
            refinedDegree[v] = graph.Degrees[v];
            refinedSize[v] = 1;
            communityDegree[partition[v]] += graph.Degrees[v];
            for (var e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
            {
                if (partition[graph.Targets[e]] == partition[v])
                {
                    nodeExternal[v] += graph.Weights[e];
                }
            }

            external[v] = nodeExternal[v];
        }

        var members = Partitions.MembersByCommunity(partition, communityCount, out var starts);
        var linkWeight = new double[n];
        var linkStamp = new int[n];
        Array.Fill(linkStamp, -1);
        var candidates = new List<(int Community, double Gain)>();
        var visited = 0;
        for (var s = 0; s < communityCount; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var subset = members.AsSpan(starts[s], starts[s + 1] - starts[s]).ToArray();
            random.Shuffle(subset);
            var subsetDegree = communityDegree[s];
            foreach (var v in subset)
            {
                if (++visited % 1024 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var degree = graph.Degrees[v];
                if (refinedSize[refined[v]] != 1
                    || nodeExternal[v] < (scale * degree * (subsetDegree - degree)) - tolerance)
                {
                    continue;
                }

                var own = refined[v];
                candidates.Clear();
                candidates.Add((own, 0));
                var bestGain = 0.0;
                for (var e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
                {
                    var u = graph.Targets[e];
                    if (partition[u] != s)
                    {
                        continue;
                    }

                    var c = refined[u];
                    if (linkStamp[c] != v)
                    {
                        linkStamp[c] = v;
                        linkWeight[c] = 0;
                    }

                    linkWeight[c] += graph.Weights[e];
                }

                for (var e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
                {
                    var u = graph.Targets[e];
                    var c = refined[u];
                    if (partition[u] != s || linkStamp[c] != v)
                    {
                        continue;
                    }

                    // Mark the community as considered, so a second edge into it adds no second candidate.
                    linkStamp[c] = -1;
                    var size = refinedDegree[c];
                    if (linkWeight[c] <= 0 || external[c] < (scale * size * (subsetDegree - size)) - tolerance)
                    {
                        continue;
                    }

                    var gain = linkWeight[c] - (scale * degree * size);
                    if (gain >= -tolerance)
                    {
                        candidates.Add((c, gain));
                        bestGain = Math.Max(bestGain, gain);
                    }
                }

                var chosen = Choose(candidates, bestGain, randomness, random);
                if (chosen == own)
                {
                    continue;
                }

                refined[v] = chosen;
                refinedDegree[chosen] += degree;
                refinedSize[chosen]++;
                refinedSize[own] = 0;
                external[chosen] += nodeExternal[v] - (2 * linkWeight[chosen]);
            }
        }

        refinedCount = Partitions.Compact(refined, n);
        return refined;
    }

    private static int Choose(List<(int Community, double Gain)> candidates, double bestGain, double randomness, Random random)
    {
        if (candidates.Count == 1)
        {
            return candidates[0].Community;
        }

        // Shifted by the best gain so exp never overflows; the best candidate weighs 1.
        var total = 0.0;
        foreach (var (_, gain) in candidates)
        {
            total += Math.Exp((gain - bestGain) / randomness);
        }

        var draw = random.NextDouble() * total;
        foreach (var (community, gain) in candidates)
        {
            draw -= Math.Exp((gain - bestGain) / randomness);
            if (draw < 0)
            {
                return community;
            }
        }

        return candidates[^1].Community;
    }
}
