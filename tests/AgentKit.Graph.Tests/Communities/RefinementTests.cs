using AgentKit.Graph.Communities;

namespace AgentKit.Graph.Tests.Communities;

public sealed class RefinementTests
{
    // Two triangles with no edge between them, and a path 6-7-8.
    private static readonly (int A, int B)[] Edges = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (6, 7), (7, 8)];

    [Fact]
    public void Refine_DisconnectedCommunity_SubcommunitiesAreConnected()
    {
        var graph = TestGraphs.From(9, Edges).Adjacency;
        var partition = new[] { 0, 0, 0, 0, 0, 0, 1, 1, 1 };
        Assert.Equal([0], TestGraphs.DisconnectedCommunities(9, Edges, partition));

        foreach (var seed in Enumerable.Range(0, 20))
        {
            var refined = Refinement.Refine(graph, partition, 2, 1 / (2 * graph.TotalWeight), 0.01, 1e-10, new Random(seed), out var count, CancellationToken.None);

            Assert.Empty(TestGraphs.DisconnectedCommunities(9, Edges, refined));
            Assert.Equal(count, refined.Distinct().Count());
            // Refined communities lie inside the communities they refine.
            Assert.All(Enumerable.Range(0, 9), v => Assert.Equal(partition[v], partition[Array.IndexOf(refined, refined[v])]));
            Assert.True(count < 9, "refinement merged nothing");
        }
    }

    [Fact]
    public void SplitDisconnected_SplitsIntoComponents_AndRaisesModularity()
    {
        var weighted = TestGraphs.From(9, Edges);
        var partition = new[] { 0, 0, 0, 0, 0, 0, 1, 1, 1 };
        var before = Modularity.Compute(weighted, partition);

        var count = Partitions.SplitDisconnected(weighted.Adjacency, partition);

        Assert.Equal(3, count);
        Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2, 2], partition);
        Assert.True(Modularity.Compute(weighted, partition) > before);
    }

    [Fact]
    public void Aggregate_KeepsModularityOfTheMergedPartition()
    {
        var weighted = TestGraphs.From(9, [.. Edges, (2, 3), (5, 6)]);
        var graph = weighted.Adjacency;
        var partition = new[] { 0, 0, 0, 1, 1, 1, 2, 2, 2 };

        var aggregate = graph.Aggregate(partition, 3);

        Assert.Equal(graph.TotalWeight, aggregate.TotalWeight);
        Assert.Equal([3, 3, 2], aggregate.SelfLoops);
        Assert.Equal(Modularity.Of(graph, partition, 3, 1), Modularity.Of(aggregate, [0, 1, 2], 3, 1), 12);
        Assert.Equal(Modularity.Of(graph, [0, 0, 0, 0, 0, 0, 1, 1, 1], 2, 1), Modularity.Of(aggregate, [0, 0, 1], 2, 1), 12);
    }
}
