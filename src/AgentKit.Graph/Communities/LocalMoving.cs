namespace AgentKit.Graph.Communities;

/// <summary>
/// The local-moving phase shared by Louvain and Leiden: each node visited moves to the neighbouring community (or a
/// new, empty one) that raises modularity most. A move's gain, in edge-weight units, is
/// <c>w(v, C) - γ·k_v·K_C / 2m</c> against the same for the node's own community without it.
/// </summary>
internal sealed class LocalMoving
{
    private const int CancellationStride = 1024;

    private readonly AdjacencyGraph _graph;
    private readonly double _scale;
    private readonly double _tolerance;
    private readonly int[] _community;
    private readonly double[] _communityDegree;
    private readonly int[] _communitySize;
    private readonly Stack<int> _empty = new();
    private readonly double[] _linkWeight;
    private readonly int[] _linkStamp;
    private readonly int[] _linked;
    private int _stamp;

    /// <param name="graph">The level's graph.</param>
    /// <param name="community">The starting partition, ids below the node count; moved in place.</param>
    /// <param name="scale">γ / 2m.</param>
    /// <param name="tolerance">The least gain, in edge-weight units, worth a move (rounding noise is not).</param>
    public LocalMoving(AdjacencyGraph graph, int[] community, double scale, double tolerance)
    {
        _graph = graph;
        _community = community;
        _scale = scale;
        _tolerance = tolerance;
        var n = graph.NodeCount;
        _communityDegree = new double[n];
        _communitySize = new int[n];
        _linkWeight = new double[n];
        _linkStamp = new int[n];
        _linked = new int[n];
        for (var v = 0; v < n; v++)
        {
            _communityDegree[community[v]] += graph.Degrees[v];
            _communitySize[community[v]]++;
        }

        for (var c = n - 1; c >= 0; c--)
        {
            if (_communitySize[c] == 0)
            {
                _empty.Push(c);
            }
        }
    }

    /// <summary>
    /// Leiden's fast local moving: nodes wait in a queue (first in a random order); when a node moves, its
    /// neighbours outside its new community rejoin the queue. Stops when the queue is empty or after
    /// <paramref name="maxVisits"/> visits.
    /// </summary>
    public void RunQueue(Random random, long maxVisits, CancellationToken cancellationToken)
    {
        var n = _graph.NodeCount;
        var queue = Shuffled(n, random);
        var queued = new bool[n];
        Array.Fill(queued, true);
        int head = 0, count = n;
        for (long visits = 0; count > 0 && visits < maxVisits; visits++)
        {
            if (visits % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var v = queue[head];
            head = (head + 1) % n;
            count--;
            queued[v] = false;
            if (!MoveToBest(v))
            {
                continue;
            }

            var target = _community[v];
            for (var e = _graph.Offsets[v]; e < _graph.Offsets[v + 1]; e++)
            {
                var u = _graph.Targets[e];
                if (!queued[u] && _community[u] != target)
                {
                    queued[u] = true;
                    queue[(head + count) % n] = u;
                    count++;
                }
            }
        }
    }

    /// <summary>
    /// Louvain's local moving: sweeps over every node in one random order until a sweep moves nothing, at most
    /// <paramref name="maxSweeps"/> sweeps.
    /// </summary>
    public void RunSweeps(Random random, int maxSweeps, CancellationToken cancellationToken)
    {
        var order = Shuffled(_graph.NodeCount, random);
        for (var sweep = 0; sweep < maxSweeps; sweep++)
        {
            var moved = false;
            for (var i = 0; i < order.Length; i++)
            {
                if (i % CancellationStride == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                moved |= MoveToBest(order[i]);
            }

            if (!moved)
            {
                return;
            }
        }
    }

    /// <summary>Moves <paramref name="v"/> to its best community; returns whether it changed community.</summary>
    private bool MoveToBest(int v)
    {
        var own = _community[v];
        var linkedCount = Links(v, own);
        var degree = _graph.Degrees[v];
        _communityDegree[own] -= degree;
        _communitySize[own]--;

        var best = own;
        var bestGain = _linkWeight[own] - (_scale * degree * _communityDegree[own]);
        for (var i = 1; i < linkedCount; i++)
        {
            var c = _linked[i];
            var gain = _linkWeight[c] - (_scale * degree * _communityDegree[c]);
            if (gain > bestGain + _tolerance)
            {
                best = c;
                bestGain = gain;
            }
        }

        // A community of its own gains 0; it only helps when the node's community is not already empty.
        if (bestGain < -_tolerance && _communitySize[own] > 0)
        {
            best = _empty.Pop();
        }

        _community[v] = best;
        _communityDegree[best] += degree;
        _communitySize[best]++;
        if (best == own)
        {
            return false;
        }

        if (_communitySize[own] == 0)
        {
            _empty.Push(own);
        }

        return true;
    }

    /// <summary>
    /// Sums the weights from <paramref name="v"/> to each community it touches into <c>_linkWeight</c>, listing those
    /// communities in <c>_linked</c> with <paramref name="own"/> first; returns how many.
    /// </summary>
    private int Links(int v, int own)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_linkStamp);
            _stamp = 1;
        }

        _linkStamp[own] = _stamp;
        _linkWeight[own] = 0;
        _linked[0] = own;
        var count = 1;
        for (var e = _graph.Offsets[v]; e < _graph.Offsets[v + 1]; e++)
        {
            var c = _community[_graph.Targets[e]];
            if (_linkStamp[c] != _stamp)
            {
                _linkStamp[c] = _stamp;
                _linkWeight[c] = 0;
                _linked[count++] = c;
            }

            _linkWeight[c] += _graph.Weights[e];
        }

        return count;
    }

    internal static int[] Shuffled(int n, Random random)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        return order;
    }
}
