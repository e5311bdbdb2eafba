using System.Globalization;

namespace AgentKit.Graph.Communities;

/// <summary>
/// An undirected weighted graph on the dense node ids <c>0..NodeCount-1</c>, the input of
/// <see cref="CommunityDetector"/> and <see cref="Modularity"/>. Fill it with <see cref="AddEdge"/>, then read it:
/// the first read (<see cref="EdgeCount"/>, detection or modularity) builds a compact adjacency once, after which the
/// graph is read-only and safe to share between threads.
/// </summary>
/// <remarks>
/// Parallel edges accumulate into one edge whose weight is their sum. A self-loop is allowed; as in networkx it
/// counts once towards <see cref="TotalWeight"/> and twice towards its node's degree.
/// </remarks>
public sealed class WeightedGraph
{
    /// <summary>The default bound on <see cref="AddEdge"/> calls (2^24): about 400 MB of buffer and adjacency.</summary>
    public const int DefaultMaxEdges = 1 << 24;

    private readonly Lock _lock = new();
    private readonly int _maxEdges;
    private List<long>? _pairs = [];
    private List<double>? _weights = [];
    private double _totalWeight;
    private AdjacencyGraph? _adjacency;

    /// <summary>Creates a graph with <paramref name="nodeCount"/> nodes and no edges.</summary>
    /// <param name="nodeCount">The number of nodes; ids run from 0 to <paramref name="nodeCount"/> - 1.</param>
    /// <param name="maxEdges">The most <see cref="AddEdge"/> calls accepted, parallel edges included.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or <paramref name="maxEdges"/> is zero.</exception>
    public WeightedGraph(int nodeCount, int maxEdges = DefaultMaxEdges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEdges);
        // Both directions of every edge must fit in one adjacency array.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEdges, Array.MaxLength / 2);
        NodeCount = nodeCount;
        _maxEdges = maxEdges;
    }

    /// <summary>The number of nodes.</summary>
    public int NodeCount { get; }

    /// <summary>The number of distinct edges (node pairs, self-loops included). Reading it builds the adjacency.</summary>
    public int EdgeCount => Adjacency.EdgeCount;

    /// <summary>The sum of the edge weights (each self-loop once): the <c>m</c> of the modularity formula.</summary>
    public double TotalWeight
    {
        get
        {
            lock (_lock)
            {
                return _totalWeight;
            }
        }
    }

    internal AdjacencyGraph Adjacency
    {
        get
        {
            lock (_lock)
            {
                if (_adjacency is null)
                {
                    _adjacency = AdjacencyGraph.FromEdges(NodeCount, _pairs!, _weights!);
                    _pairs = null;
                    _weights = null;
                }

                return _adjacency;
            }
        }
    }

    /// <summary>Adds an undirected edge, or adds <paramref name="weight"/> to the edge already between the two nodes.</summary>
    /// <param name="a">One end.</param>
    /// <param name="b">The other end; equal to <paramref name="a"/> for a self-loop.</param>
    /// <param name="weight">A finite, non-negative weight.</param>
    /// <exception cref="ArgumentException">A node id is outside <c>0..NodeCount-1</c>, or the weight is negative, NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The graph has been read already, or holds <c>maxEdges</c> edges.</exception>
    public void AddEdge(int a, int b, double weight = 1)
    {
        if ((uint)a >= (uint)NodeCount || (uint)b >= (uint)NodeCount)
        {
            throw new ArgumentOutOfRangeException(
                (uint)a >= (uint)NodeCount ? nameof(a) : nameof(b),
                string.Create(CultureInfo.InvariantCulture, $"Edge ({a}, {b}): node ids must lie in 0..{NodeCount - 1} (the graph has {NodeCount} nodes)."));
        }

        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Edge ({a}, {b}): weight {weight} is not a finite, non-negative number."),
                nameof(weight));
        }

        lock (_lock)
        {
            if (_pairs is null)
            {
                throw new InvalidOperationException(
                    "The graph is read-only once its adjacency is built (by EdgeCount, Modularity.Compute or CommunityDetector.Detect); build a new WeightedGraph to add edges.");
            }

            if (_pairs.Count == _maxEdges)
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"Edge ({a}, {b}): the graph already holds {_maxEdges} edges, the limit passed to its constructor."));
            }

            var total = _totalWeight + weight;
            if (double.IsInfinity(total))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Edge ({a}, {b}): weight {weight} makes the total weight overflow."),
                    nameof(weight));
            }

            _totalWeight = total;
            _pairs.Add(AdjacencyGraph.PairKey(a, b));
            _weights!.Add(weight);
        }
    }
}
