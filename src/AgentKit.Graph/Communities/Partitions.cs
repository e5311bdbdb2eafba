namespace AgentKit.Graph.Communities;

/// <summary>Operations on a partition held as one community id per node.</summary>
internal static class Partitions
{
    /// <summary>
    /// The nodes grouped by community (a counting sort, ascending within each community): the members of community
    /// <c>c</c> are <c>members[starts[c]..starts[c+1]]</c>.
    /// </summary>
    public static int[] MembersByCommunity(int[] partition, int communityCount, out int[] starts)
    {
        starts = new int[communityCount + 1];
        foreach (var c in partition)
        {
            starts[c + 1]++;
        }

        for (var c = 0; c < communityCount; c++)
        {
            starts[c + 1] += starts[c];
        }

        var next = starts[..communityCount];
        var members = new int[partition.Length];
        for (var v = 0; v < partition.Length; v++)
        {
            members[next[partition[v]]++] = v;
        }

        return members;
    }

    /// <summary>Renumbers ids below <paramref name="idBound"/> densely, in order of first appearance; returns the count.</summary>
    public static int Compact(int[] partition, int idBound)
    {
        var map = new int[idBound];
        Array.Fill(map, -1);
        var count = 0;
        for (var v = 0; v < partition.Length; v++)
        {
            var c = partition[v];
            if (map[c] < 0)
            {
                map[c] = count++;
            }

            partition[v] = map[c];
        }

        return count;
    }

    /// <summary>
    /// Renumbers a dense partition so that community 0 is the largest; ties go to the community holding the
    /// smaller node id, so equal partitions always get equal numbers.
    /// </summary>
    public static void NumberBySize(int[] partition, int communityCount)
    {
        var sizes = new int[communityCount];
        var firstNode = new int[communityCount];
        Array.Fill(firstNode, int.MaxValue);
        for (var v = 0; v < partition.Length; v++)
        {
            var c = partition[v];
            sizes[c]++;
            firstNode[c] = Math.Min(firstNode[c], v);
        }

        var order = new int[communityCount];
        for (var c = 0; c < communityCount; c++)
        {
            order[c] = c;
        }

        Array.Sort(order, (x, y) => sizes[x] != sizes[y] ? sizes[y].CompareTo(sizes[x]) : firstNode[x].CompareTo(firstNode[y]));
        var rank = new int[communityCount];
        for (var i = 0; i < communityCount; i++)
        {
            rank[order[i]] = i;
        }

        for (var v = 0; v < partition.Length; v++)
        {
            partition[v] = rank[partition[v]];
        }
    }

    /// <summary>
    /// Splits every community into the connected components of the subgraph it induces (a split that never lowers
    /// modularity: no edge joins two components). Returns the new, dense community count.
    /// </summary>
    public static int SplitDisconnected(AdjacencyGraph graph, int[] partition)
    {
        var result = new int[partition.Length];
        Array.Fill(result, -1);
        var stack = new Stack<int>();
        var count = 0;
        for (var start = 0; start < partition.Length; start++)
        {
            if (result[start] >= 0)
            {
                continue;
            }

            result[start] = count;
            stack.Push(start);
            while (stack.TryPop(out var v))
            {
                for (var e = graph.Offsets[v]; e < graph.Offsets[v + 1]; e++)
                {
                    var u = graph.Targets[e];
                    if (result[u] < 0 && partition[u] == partition[start])
                    {
                        result[u] = count;
                        stack.Push(u);
                    }
                }
            }

            count++;
        }

        result.CopyTo(partition, 0);
        return count;
    }

    /// <summary>Whether two partitions group the nodes alike, whatever their numbering.</summary>
    public static bool SameGrouping(int[] a, int[] b)
    {
        var forward = new Dictionary<int, int>();
        var backward = new Dictionary<int, int>();
        for (var v = 0; v < a.Length; v++)
        {
            if ((forward.TryGetValue(a[v], out var mapped) && mapped != b[v])
                || (backward.TryGetValue(b[v], out var reverse) && reverse != a[v]))
            {
                return false;
            }

            forward[a[v]] = b[v];
            backward[b[v]] = a[v];
        }

        return true;
    }
}
