using AgentKit.Graph.Communities;

namespace AgentKit.Graph.Tests.Communities;

internal static class TestGraphs
{
    public static WeightedGraph From(int nodeCount, IEnumerable<(int A, int B)> edges, double weight = 1)
    {
        var graph = new WeightedGraph(nodeCount);
        foreach (var (a, b) in edges)
        {
            graph.AddEdge(a, b, weight);
        }

        return graph;
    }

    /// <summary>Communities whose induced subgraph is not connected (a breadth-first search inside each).</summary>
    public static List<int> DisconnectedCommunities(int nodeCount, IReadOnlyList<(int A, int B)> edges, IReadOnlyList<int> membership)
    {
        var neighbours = new List<int>[nodeCount];
        for (var v = 0; v < nodeCount; v++)
        {
            neighbours[v] = [];
        }

        foreach (var (a, b) in edges)
        {
            if (membership[a] == membership[b])
            {
                neighbours[a].Add(b);
                neighbours[b].Add(a);
            }
        }

        var reached = new bool[nodeCount];
        var seenCommunities = new HashSet<int>();
        var disconnected = new List<int>();
        for (var start = 0; start < nodeCount; start++)
        {
            if (reached[start])
            {
                continue;
            }

            // The first node met of a community starts its search; meeting the community again means a second component.
            if (!seenCommunities.Add(membership[start]))
            {
                disconnected.Add(membership[start]);
            }

            var queue = new Queue<int>([start]);
            reached[start] = true;
            while (queue.TryDequeue(out var v))
            {
                foreach (var u in neighbours[v].Where(u => !reached[u]))
                {
                    reached[u] = true;
                    queue.Enqueue(u);
                }
            }
        }

        return disconnected;
    }
}
