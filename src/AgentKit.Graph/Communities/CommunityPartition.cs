namespace AgentKit.Graph.Communities;

/// <summary>
/// One level of a community hierarchy: a partition of all the graph's nodes, its communities numbered
/// <c>0..CommunityCount-1</c> from the largest (ties: the community holding the smaller node id first).
/// </summary>
public sealed class CommunityLevel
{
    private readonly int[] _membership;
    private readonly int[] _memberStarts;
    private readonly int[] _members;
    private readonly int[] _parents;

    internal CommunityLevel(int[] membership, int communityCount, double modularity, int[] parents)
    {
        _membership = membership;
        _parents = parents;
        CommunityCount = communityCount;
        Modularity = modularity;
        _members = Partitions.MembersByCommunity(membership, communityCount, out _memberStarts);
    }

    /// <summary>The community of each node, indexed by node id.</summary>
    public IReadOnlyList<int> Membership => _membership;

    /// <summary>The number of communities.</summary>
    public int CommunityCount { get; }

    /// <summary>The modularity of this partition of the whole graph, at the resolution of the detection.</summary>
    public double Modularity { get; }

    /// <summary>
    /// For each community of this level, the community of the next coarser level (the one before it in
    /// <see cref="CommunityPartition.Levels"/>) that contains it; empty on the coarsest level.
    /// </summary>
    public IReadOnlyList<int> Parents => _parents;

    /// <summary>The node ids in a community, ascending.</summary>
    /// <param name="community">A community id, <c>0..CommunityCount-1</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside <c>0..CommunityCount-1</c>.</exception>
    public ReadOnlySpan<int> Members(int community)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(community);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(community, CommunityCount);
        return _members.AsSpan(_memberStarts[community], _memberStarts[community + 1] - _memberStarts[community]);
    }
}

/// <summary>
/// The result of <see cref="CommunityDetector.Detect"/>: the final communities and the hierarchy that led to them.
/// The final partition is <c>Levels[0]</c>; each later level splits the communities of the one before it, down to
/// the finest groups the algorithm formed, so summaries can be written per level (GraphRAG's community levels).
/// </summary>
public sealed class CommunityPartition
{
    internal CommunityPartition(IReadOnlyList<CommunityLevel> levels) => Levels = levels;

    /// <summary>The hierarchy, coarse to fine; never empty, and nested: every community lies inside one of the level before.</summary>
    public IReadOnlyList<CommunityLevel> Levels { get; }

    /// <summary>The final community of each node (that of <c>Levels[0]</c>), numbered from the largest community.</summary>
    public IReadOnlyList<int> Membership => Levels[0].Membership;

    /// <summary>The number of final communities.</summary>
    public int CommunityCount => Levels[0].CommunityCount;

    /// <summary>The modularity of the final partition, at the resolution of the detection.</summary>
    public double Modularity => Levels[0].Modularity;
}
