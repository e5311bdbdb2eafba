using AgentKit.Graph.Communities;
using AgentKit.Testing.Graphs;

namespace AgentKit.Graph.Tests.Communities;

public sealed class ModularityTests
{
    [Fact]
    public void Compute_TwoTrianglesJoinedByAnEdge_MatchesTheFormula()
    {
        var graph = TestGraphs.From(6, [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]);

        // m = 7; each triangle holds 3 edges and degree 7: Q = 2 (3/7 - (7/14)^2).
        Assert.Equal((6.0 / 7) - 0.5, Modularity.Compute(graph, [0, 0, 0, 1, 1, 1]), 12);
        Assert.Equal(0, Modularity.Compute(graph, [0, 0, 0, 0, 0, 0]), 12);
    }

    [Fact]
    public void Compute_KarateFactions_MatchesNetworkx()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);

        // networkx 3.6.1: modularity(karate_club_graph() unweighted, club split) and with resolution=2.
        Assert.Equal(0.3582347140039448, Modularity.Compute(graph, KarateClub.Factions), 12);
        Assert.Equal(-0.14250493096646943, Modularity.Compute(graph, KarateClub.Factions, resolution: 2), 12);
    }

    [Fact]
    public void Compute_SelfLoopsAndWeights_MatchNetworkx()
    {
        var graph = new WeightedGraph(3);
        graph.AddEdge(0, 0, 2);
        graph.AddEdge(0, 1);
        graph.AddEdge(1, 2);
        graph.AddEdge(2, 2);

        // networkx 3.6.1 on the same weighted graph, communities {0, 1} and {2}.
        Assert.Equal(0.22, Modularity.Compute(graph, [0, 0, 1]), 12);
        Assert.Equal(0.51, Modularity.Compute(graph, [0, 0, 1], resolution: 0.5), 12);
    }

    [Fact]
    public void Compute_AnyNonNegativeLabels_SameAsDense()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);
        var relabelled = KarateClub.Factions.Select(f => f == 0 ? 1_000_000 : 7).ToArray();

        Assert.Equal(Modularity.Compute(graph, KarateClub.Factions), Modularity.Compute(graph, relabelled), 12);
    }

    [Fact]
    public void Compute_NoEdgeWeight_IsZero()
    {
        Assert.Equal(0, Modularity.Compute(new WeightedGraph(3), [0, 1, 2]));
        Assert.Equal(0, Modularity.Compute(new WeightedGraph(0), []));
    }

    [Fact]
    public void Compute_BadInput_ThrowsNamingIt()
    {
        var graph = TestGraphs.From(3, [(0, 1), (1, 2)]);

        Assert.Contains("lists 2 nodes; the graph has 3", Assert.Throws<ArgumentException>(() => Modularity.Compute(graph, [0, 0])).Message, StringComparison.Ordinal);
        Assert.Contains("Node 1 has community -1", Assert.Throws<ArgumentException>(() => Modularity.Compute(graph, [0, -1, 0])).Message, StringComparison.Ordinal);
        Assert.Equal("resolution", Assert.Throws<ArgumentException>(() => Modularity.Compute(graph, [0, 0, 0], double.NaN)).ParamName);
        Assert.Equal("resolution", Assert.Throws<ArgumentException>(() => Modularity.Compute(graph, [0, 0, 0], -1)).ParamName);
    }
}
