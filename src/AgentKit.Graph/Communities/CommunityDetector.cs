namespace AgentKit.Graph.Communities;

/// <summary>
/// Finds communities (densely linked groups of nodes) by maximising modularity with Leiden (Traag, Waltman and
/// van Eck 2019, "From Louvain to Leiden: guaranteeing well-connected communities") or Louvain.
/// </summary>
/// <remarks>
/// Leiden, per level: fast local moving with a queue; refinement of each community into well-connected
/// sub-communities; aggregation of the graph on the refined partition, the moved (non-refined) partition giving the
/// aggregate's starting communities. Runs repeat from their own result until one changes nothing
/// (<see cref="CommunityDetectionOptions.LeidenIterations"/>). Every Leiden community is connected: a run that
/// stops on a bound rather than on convergence has its communities split into their connected components, which
/// never lowers modularity. Time is about linear in the edges per level; memory a few arrays per node and edge.
/// </remarks>
public static class CommunityDetector
{
    /// <summary>Detects the communities of <paramref name="graph"/>; the same graph, options and seed give the same result.</summary>
    /// <param name="graph">The graph; reading it builds its adjacency, after which it is read-only.</param>
    /// <param name="options">The algorithm and its bounds; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Checked every 1,024 node visits.</param>
    /// <returns>The communities, numbered from the largest, and their hierarchy.</returns>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static CommunityPartition Detect(WeightedGraph graph, CommunityDetectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new CommunityDetectionOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var adjacency = graph.Adjacency;
        if (adjacency.TotalWeight <= 0)
        {
            // Nothing links any two nodes: each is its own community.
            var alone = new int[adjacency.NodeCount];
            for (var v = 0; v < alone.Length; v++)
            {
                alone[v] = v;
            }

            return Build(adjacency, [alone], options.Resolution);
        }

        var run = new Run(adjacency, options, cancellationToken);
        var hierarchy = options.Algorithm == CommunityAlgorithm.Leiden ? run.Leiden() : run.Louvain();
        return Build(adjacency, hierarchy, options.Resolution);
    }

    /// <summary>Numbers each level by size, drops repeated and all-singleton levels, and links each level to its parent.</summary>
    private static CommunityPartition Build(AdjacencyGraph graph, List<int[]> hierarchy, double resolution)
    {
        var levels = new List<CommunityLevel>();
        int[]? coarser = null;
        var coarserCount = -1;
        foreach (var partition in hierarchy)
        {
            var count = Partitions.Compact(partition, graph.NodeCount);
            if (coarser is not null && (count == coarserCount || count == graph.NodeCount))
            {
                continue;
            }

            Partitions.NumberBySize(partition, count);
            var parents = new int[coarser is null ? 0 : count];
            for (var v = 0; coarser is not null && v < partition.Length; v++)
            {
                parents[partition[v]] = coarser[v];
            }

            levels.Add(new CommunityLevel(partition, count, Modularity.Of(graph, partition, count, resolution), parents));
            coarser = partition;
            coarserCount = count;
        }

        return new CommunityPartition(levels);
    }

    /// <summary>One detection: the level graphs, the random source and the constants of the gain formula.</summary>
    private sealed class Run
    {
        private const double ToleranceFactor = 1e-10;

        private readonly AdjacencyGraph _graph;
        private readonly CommunityDetectionOptions _options;
        private readonly CancellationToken _cancellationToken;
        private readonly Random _random;
        private readonly double _scale;
        private readonly double _tolerance;
        private readonly double _randomness;

        public Run(AdjacencyGraph graph, CommunityDetectionOptions options, CancellationToken cancellationToken)
        {
            _graph = graph;
            _options = options;
            _cancellationToken = cancellationToken;
            _random = new Random(options.Seed);
            _scale = options.Resolution / (2 * graph.TotalWeight);
            // Gains are in edge-weight units; scaling by the mean edge weight makes results independent of the unit.
            var meanWeight = graph.TotalWeight / graph.EdgeCount;
            _tolerance = ToleranceFactor * meanWeight;
            _randomness = options.Randomness * meanWeight;
        }

        /// <summary>Returns the hierarchy coarse to fine, the final partition first.</summary>
        public List<int[]> Leiden()
        {
            var membership = Identity(_graph.NodeCount);
            var quality = Modularity.Of(_graph, membership, _graph.NodeCount, _options.Resolution);
            List<int[]>? levels = null;
            for (var iteration = 0; iteration < _options.LeidenIterations; iteration++)
            {
                var next = LeidenOnce(membership);
                var final = next[0];
                var nextQuality = Modularity.Of(_graph, final, Partitions.Compact(final, _graph.NodeCount), _options.Resolution);
                if (levels is not null && (nextQuality < quality || Partitions.SameGrouping(final, membership)))
                {
                    break;
                }

                membership = final;
                quality = nextQuality;
                levels = next;
            }

            // Converged runs end with connected communities already; a run cut short by MaxLevels or MaxIterations
            // may not, and splitting every level keeps the levels nested.
            foreach (var level in levels!)
            {
                Partitions.SplitDisconnected(_graph, level);
            }

            return levels;
        }

        private List<int[]> LeidenOnce(int[] start)
        {
            var graph = _graph;
            var partition = start.ToArray();
            Partitions.Compact(partition, graph.NodeCount);
            var nodeToAggregate = Identity(_graph.NodeCount);
            var levels = new List<int[]>();
            for (var level = 1; ; level++)
            {
                new LocalMoving(graph, partition, _scale, _tolerance).RunQueue(_random, (long)_options.MaxIterations * graph.NodeCount, _cancellationToken);
                var count = Partitions.Compact(partition, graph.NodeCount);
                if (count == graph.NodeCount || level == _options.MaxLevels)
                {
                    break;
                }

                var refined = Refinement.Refine(graph, partition, count, _scale, _randomness, _tolerance, _random, out var refinedCount, _cancellationToken);
                // Refinement that merged nothing would aggregate into the same graph forever; merge the moved
                // communities instead, as igraph does.
                var (aggregateOn, aggregateCount) = refinedCount < graph.NodeCount ? (refined, refinedCount) : (partition, count);
                var next = new int[aggregateCount];
                for (var v = 0; v < graph.NodeCount; v++)
                {
                    next[aggregateOn[v]] = partition[v];
                }

                for (var v = 0; v < nodeToAggregate.Length; v++)
                {
                    nodeToAggregate[v] = aggregateOn[nodeToAggregate[v]];
                }

                levels.Add(nodeToAggregate.ToArray());
                graph = graph.Aggregate(aggregateOn, aggregateCount);
                partition = next;
            }

            var final = new int[_graph.NodeCount];
            for (var v = 0; v < final.Length; v++)
            {
                final[v] = partition[nodeToAggregate[v]];
            }

            levels.Add(final);
            levels.Reverse();
            return levels;
        }

        /// <summary>Returns the hierarchy coarse to fine, the final partition first.</summary>
        public List<int[]> Louvain()
        {
            var graph = _graph;
            var nodeToAggregate = Identity(_graph.NodeCount);
            var levels = new List<int[]>();
            for (var level = 1; level <= _options.MaxLevels; level++)
            {
                var partition = Identity(graph.NodeCount);
                new LocalMoving(graph, partition, _scale, _tolerance).RunSweeps(_random, _options.MaxIterations, _cancellationToken);
                var count = Partitions.Compact(partition, graph.NodeCount);
                if (count == graph.NodeCount)
                {
                    break;
                }

                for (var v = 0; v < nodeToAggregate.Length; v++)
                {
                    nodeToAggregate[v] = partition[nodeToAggregate[v]];
                }

                levels.Add(nodeToAggregate.ToArray());
                if (level < _options.MaxLevels)
                {
                    graph = graph.Aggregate(partition, count);
                }
            }

            if (levels.Count == 0)
            {
                levels.Add(nodeToAggregate);
            }

            levels.Reverse();
            return levels;
        }

        private static int[] Identity(int n)
        {
            var identity = new int[n];
            for (var v = 0; v < n; v++)
            {
                identity[v] = v;
            }

            return identity;
        }
    }
}
