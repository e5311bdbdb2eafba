using AgentKit.Graph.Communities;
using AgentKit.Testing.Graphs;

namespace AgentKit.Graph.Tests.Communities;

public sealed class CommunityDetectorTests
{
    private static readonly PlantedPartition TenGroups = PlantedPartition.Generate(10, 100, 0.1, 0.005, seed: 1);

    [Fact]
    public void Leiden_KarateClub_FindsTheBestKnownPartition()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);

        foreach (var seed in Enumerable.Range(0, 10))
        {
            var result = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Seed = seed });

            // The optimum is 0.4197896 with four communities (Brandes et al. 2008 proved it optimal).
            Assert.Equal(0.41979, result.Modularity, 5);
            Assert.Equal(4, result.CommunityCount);
            Assert.Equal(Modularity.Compute(graph, result.Membership), result.Modularity, 12);
        }
    }

    [Fact]
    public void Louvain_KarateClub_ComesWithinOnePercentOfTheOptimum()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);

        foreach (var seed in Enumerable.Range(0, 10))
        {
            var result = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Algorithm = CommunityAlgorithm.Louvain, Seed = seed });

            // networkx's louvain_communities scores 0.392 to 0.4198 over seeds 0..49.
            Assert.InRange(result.Modularity, 0.39, 0.41979);
            Assert.Equal(Modularity.Compute(graph, result.Membership), result.Modularity, 12);
        }
    }

    [Fact]
    public void Detect_KarateClub_SeparatesTheTwoFactionsLeaders()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);

        var result = CommunityDetector.Detect(graph);

        Assert.NotEqual(result.Membership[0], result.Membership[33]);
        Assert.True(Modularity.Compute(graph, KarateClub.Factions) < result.Modularity);
    }

    [Theory]
    [InlineData(CommunityAlgorithm.Leiden)]
    [InlineData(CommunityAlgorithm.Louvain)]
    public void Detect_PlantedPartition_RecoversTheGroups(CommunityAlgorithm algorithm)
    {
        var graph = TestGraphs.From(TenGroups.NodeCount, TenGroups.Edges);

        var result = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Algorithm = algorithm });

        Assert.True(PartitionSimilarity.AdjustedRandIndex(TenGroups.Truth, result.Membership) >= 0.9);
        Assert.True(result.Modularity >= Modularity.Compute(graph, TenGroups.Truth) - 0.01);
    }

    [Fact]
    public void Leiden_CommunitiesAreConnected()
    {
        // Heavy mixing (about half of each node's edges leave its group) is where Louvain strands nodes.
        foreach (var seed in Enumerable.Range(0, 8))
        {
            var planted = PlantedPartition.Generate(8, 40, 0.15, 0.03, seed);
            var graph = TestGraphs.From(planted.NodeCount, planted.Edges);
            foreach (var options in new[]
            {
                new CommunityDetectionOptions { Seed = seed },
                new CommunityDetectionOptions { Seed = seed, MaxLevels = 1 },
                new CommunityDetectionOptions { Seed = seed, MaxLevels = 2, MaxIterations = 1, LeidenIterations = 1 },
            })
            {
                var result = CommunityDetector.Detect(graph, options);

                foreach (var level in result.Levels)
                {
                    Assert.Empty(TestGraphs.DisconnectedCommunities(planted.NodeCount, planted.Edges, level.Membership));
                }
            }
        }
    }

    [Fact]
    public void Detect_SameSeed_SameResult()
    {
        var graph = TestGraphs.From(TenGroups.NodeCount, TenGroups.Edges);
        foreach (var algorithm in new[] { CommunityAlgorithm.Leiden, CommunityAlgorithm.Louvain })
        {
            var options = new CommunityDetectionOptions { Algorithm = algorithm, Seed = 7 };

            var first = CommunityDetector.Detect(graph, options);
            var second = CommunityDetector.Detect(graph, options);

            Assert.Equal(first.Membership, second.Membership);
            Assert.Equal(first.Levels.Select(l => l.Membership), second.Levels.Select(l => l.Membership));
            Assert.Equal(first.Modularity, second.Modularity);
        }
    }

    [Fact]
    public void Detect_WeightsScaled_SameResult()
    {
        var planted = PlantedPartition.Generate(6, 30, 0.3, 0.05, seed: 3);

        var unit = CommunityDetector.Detect(TestGraphs.From(planted.NodeCount, planted.Edges));
        var scaled = CommunityDetector.Detect(TestGraphs.From(planted.NodeCount, planted.Edges, weight: 1e-6));

        Assert.Equal(unit.Membership, scaled.Membership);
    }

    [Fact]
    public void Detect_NumbersCommunitiesBySize()
    {
        var graph = TestGraphs.From(TenGroups.NodeCount, TenGroups.Edges);

        var result = CommunityDetector.Detect(graph);

        var sizes = Enumerable.Range(0, result.CommunityCount).Select(c => result.Levels[0].Members(c).Length).ToArray();
        Assert.Equal(sizes.OrderDescending(), sizes);
        Assert.Equal(TenGroups.NodeCount, sizes.Sum());
        Assert.Equal(Enumerable.Range(0, result.CommunityCount), result.Membership.Distinct().Order());
    }

    [Theory]
    [InlineData(CommunityAlgorithm.Leiden)]
    [InlineData(CommunityAlgorithm.Louvain)]
    public void Detect_Levels_AreNestedCoarseToFine(CommunityAlgorithm algorithm)
    {
        var planted = PlantedPartition.Generate(20, 50, 0.2, 0.01, seed: 4);
        var graph = TestGraphs.From(planted.NodeCount, planted.Edges);

        var result = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Algorithm = algorithm });

        Assert.True(result.Levels.Count >= 2, $"{result.Levels.Count} levels");
        Assert.Same(result.Levels[0].Membership, result.Membership);
        Assert.Empty(result.Levels[0].Parents);
        for (var i = 1; i < result.Levels.Count; i++)
        {
            var (coarse, fine) = (result.Levels[i - 1], result.Levels[i]);
            Assert.True(fine.CommunityCount > coarse.CommunityCount);
            Assert.Equal(fine.CommunityCount, fine.Parents.Count);
            for (var v = 0; v < planted.NodeCount; v++)
            {
                Assert.Equal(coarse.Membership[v], fine.Parents[fine.Membership[v]]);
            }

            Assert.Equal(Modularity.Compute(graph, fine.Membership), fine.Modularity, 12);
        }
    }

    [Fact]
    public void Detect_HigherResolution_MoreCommunities()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);

        var coarse = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Resolution = 0.5 });
        var fine = CommunityDetector.Detect(graph, new CommunityDetectionOptions { Resolution = 2 });

        Assert.True(coarse.CommunityCount < fine.CommunityCount, $"{coarse.CommunityCount} vs {fine.CommunityCount}");
        Assert.Equal(Modularity.Compute(graph, fine.Membership, 2), fine.Modularity, 12);
    }

    [Fact]
    public void Detect_DisjointCliquesAndIsolatedNodes_EachAlone()
    {
        // Two 4-cliques, a self-loop-only node and two isolated nodes.
        var edges = new List<(int, int)>();
        foreach (var offset in new[] { 0, 4 })
        {
            for (var i = 0; i < 4; i++)
            {
                for (var j = i + 1; j < 4; j++)
                {
                    edges.Add((offset + i, offset + j));
                }
            }
        }

        var graph = TestGraphs.From(11, edges);
        var withLoop = TestGraphs.From(11, edges);
        withLoop.AddEdge(8, 8);

        foreach (var algorithm in new[] { CommunityAlgorithm.Leiden, CommunityAlgorithm.Louvain })
        {
            foreach (var g in new[] { graph, withLoop })
            {
                var result = CommunityDetector.Detect(g, new CommunityDetectionOptions { Algorithm = algorithm });

                Assert.Equal(5, result.CommunityCount);
                Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 4], result.Membership);
            }
        }
    }

    [Fact]
    public void Detect_EmptyGraph_NoCommunities()
    {
        var result = CommunityDetector.Detect(new WeightedGraph(0));

        Assert.Empty(result.Membership);
        Assert.Equal(0, result.CommunityCount);
        Assert.Equal(0, result.Modularity);
        Assert.Single(result.Levels);
    }

    [Fact]
    public void Detect_NoEdges_EveryNodeAlone()
    {
        var graph = new WeightedGraph(3);
        graph.AddEdge(0, 1, 0);

        var result = CommunityDetector.Detect(graph);

        Assert.Equal([0, 1, 2], result.Membership);
        Assert.Equal(0, result.Modularity);
    }

    [Theory]
    [InlineData(nameof(CommunityDetectionOptions.Resolution))]
    [InlineData(nameof(CommunityDetectionOptions.Randomness))]
    [InlineData(nameof(CommunityDetectionOptions.MaxLevels))]
    [InlineData(nameof(CommunityDetectionOptions.MaxIterations))]
    [InlineData(nameof(CommunityDetectionOptions.LeidenIterations))]
    [InlineData(nameof(CommunityDetectionOptions.Algorithm))]
    public void Detect_InvalidOption_ThrowsNamingIt(string property)
    {
        var options = property switch
        {
            nameof(CommunityDetectionOptions.Resolution) => new CommunityDetectionOptions { Resolution = double.NaN },
            nameof(CommunityDetectionOptions.Randomness) => new CommunityDetectionOptions { Randomness = 0 },
            nameof(CommunityDetectionOptions.MaxLevels) => new CommunityDetectionOptions { MaxLevels = 0 },
            nameof(CommunityDetectionOptions.MaxIterations) => new CommunityDetectionOptions { MaxIterations = -1 },
            nameof(CommunityDetectionOptions.LeidenIterations) => new CommunityDetectionOptions { LeidenIterations = 0 },
            _ => new CommunityDetectionOptions { Algorithm = (CommunityAlgorithm)9 },
        };

        var error = Assert.Throws<ArgumentException>(() => CommunityDetector.Detect(TestGraphs.From(2, [(0, 1)]), options));

        Assert.Contains($"CommunityDetectionOptions.{property}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_CancelledToken_Throws()
    {
        var graph = TestGraphs.From(KarateClub.NodeCount, KarateClub.Edges);

        Assert.ThrowsAny<OperationCanceledException>(() => CommunityDetector.Detect(graph, null, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Detect_CancelledWhileRunning_Throws()
    {
        var planted = PlantedPartition.Generate(40, 500, 0.04, 0.0002, seed: 5);
        var graph = TestGraphs.From(planted.NodeCount, planted.Edges);
        _ = graph.EdgeCount;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(1));

        Assert.ThrowsAny<OperationCanceledException>(() => CommunityDetector.Detect(graph, null, cancellation.Token));
    }
}
