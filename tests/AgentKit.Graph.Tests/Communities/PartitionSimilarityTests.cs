using AgentKit.Graph.Communities;

namespace AgentKit.Graph.Tests.Communities;

public sealed class PartitionSimilarityTests
{
    [Fact]
    public void AdjustedRandIndex_SameGroupingOtherLabels_IsOne()
    {
        Assert.Equal(1, PartitionSimilarity.AdjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 9, 9, 3]), 12);
    }

    [Fact]
    public void AdjustedRandIndex_CrossedPairs_IsMinusOneHalf()
    {
        // Contingency all ones: index 0, row and column pairs 2 each, expected 2·2/6, maximum 2.
        Assert.Equal(-0.5, PartitionSimilarity.AdjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void AdjustedRandIndex_KnownValue_MatchesScikitLearn()
    {
        // sklearn.metrics.adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2]) = 0.24242424...
        Assert.Equal(8.0 / 33, PartitionSimilarity.AdjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
    }

    [Fact]
    public void AdjustedRandIndex_TrivialPartitions_FollowScikitLearn()
    {
        Assert.Equal(1, PartitionSimilarity.AdjustedRandIndex([0, 1, 2], [2, 1, 0]));
        Assert.Equal(1, PartitionSimilarity.AdjustedRandIndex([4, 4, 4], [1, 1, 1]));
        Assert.Equal(0, PartitionSimilarity.AdjustedRandIndex([0, 0, 0], [0, 1, 2]));
        Assert.Equal(1, PartitionSimilarity.AdjustedRandIndex([7], [3]));
        Assert.Equal(1, PartitionSimilarity.AdjustedRandIndex([], []));
    }

    [Fact]
    public void AdjustedRandIndex_DifferentLengths_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => PartitionSimilarity.AdjustedRandIndex([0, 1], [0]));

        Assert.Contains("2 and 1 items", error.Message, StringComparison.Ordinal);
    }
}
