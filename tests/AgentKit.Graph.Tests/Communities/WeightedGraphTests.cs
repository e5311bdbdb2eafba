using AgentKit.Graph.Communities;

namespace AgentKit.Graph.Tests.Communities;

public sealed class WeightedGraphTests
{
    [Fact]
    public void AddEdge_ParallelEdges_AccumulateIntoOne()
    {
        var graph = new WeightedGraph(3);
        graph.AddEdge(0, 1, 2);
        graph.AddEdge(1, 0, 0.5);
        graph.AddEdge(1, 2);

        Assert.Equal(2, graph.EdgeCount);
        Assert.Equal(3.5, graph.TotalWeight);
        Assert.Equal([2.5, 3.5, 1], graph.Adjacency.Degrees);
    }

    [Fact]
    public void AddEdge_SelfLoop_CountsOnceInTotalAndTwiceInDegree()
    {
        var graph = new WeightedGraph(2);
        graph.AddEdge(0, 0, 3);
        graph.AddEdge(0, 1);

        Assert.Equal(2, graph.EdgeCount);
        Assert.Equal(4, graph.TotalWeight);
        Assert.Equal([7, 1], graph.Adjacency.Degrees);
        Assert.Equal([1], graph.Adjacency.Targets[graph.Adjacency.Offsets[0]..graph.Adjacency.Offsets[1]]);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 4)]
    [InlineData(4, 4)]
    public void AddEdge_NodeOutOfRange_ThrowsNamingTheEdge(int a, int b)
    {
        var graph = new WeightedGraph(4);

        var error = Assert.ThrowsAny<ArgumentException>(() => graph.AddEdge(a, b));

        Assert.Contains($"Edge ({a}, {b})", error.Message, StringComparison.Ordinal);
        Assert.Contains("0..3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void AddEdge_BadWeight_ThrowsNamingTheEdge(double weight)
    {
        var graph = new WeightedGraph(4);

        var error = Assert.Throws<ArgumentException>(() => graph.AddEdge(2, 3, weight));

        Assert.Contains("Edge (2, 3)", error.Message, StringComparison.Ordinal);
        Assert.Equal("weight", error.ParamName);
    }

    [Fact]
    public void AddEdge_TotalWeightOverflow_Throws()
    {
        var graph = new WeightedGraph(2);
        graph.AddEdge(0, 1, double.MaxValue);

        var error = Assert.Throws<ArgumentException>(() => graph.AddEdge(0, 1, double.MaxValue));

        Assert.Contains("overflow", error.Message, StringComparison.Ordinal);
        Assert.Equal(double.MaxValue, graph.TotalWeight);
    }

    [Fact]
    public void AddEdge_BeyondMaxEdges_Throws()
    {
        var graph = new WeightedGraph(3, maxEdges: 2);
        graph.AddEdge(0, 1);
        graph.AddEdge(0, 1);

        var error = Assert.Throws<InvalidOperationException>(() => graph.AddEdge(1, 2));

        Assert.Contains("2 edges", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEdge_AfterRead_Throws()
    {
        var graph = new WeightedGraph(3);
        graph.AddEdge(0, 1);
        _ = graph.EdgeCount;

        var error = Assert.Throws<InvalidOperationException>(() => graph.AddEdge(1, 2));

        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctor_NegativeCounts_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedGraph(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedGraph(3, maxEdges: 0));
    }

    [Fact]
    public void EmptyGraph_HasNoEdges()
    {
        var graph = new WeightedGraph(0);

        Assert.Equal(0, graph.NodeCount);
        Assert.Equal(0, graph.EdgeCount);
        Assert.Equal(0, graph.TotalWeight);
    }
}
