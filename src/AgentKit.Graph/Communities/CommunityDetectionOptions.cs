using System.Globalization;

namespace AgentKit.Graph.Communities;

/// <summary>The community detection algorithms <see cref="CommunityDetector"/> offers.</summary>
public enum CommunityAlgorithm
{
    /// <summary>
    /// Leiden (Traag, Waltman and van Eck 2019): Louvain's local moving, with a queue, plus a refinement phase, so
    /// every community is connected; the default.
    /// </summary>
    Leiden,

    /// <summary>Louvain (Blondel et al. 2008): local moving and aggregation; communities may be disconnected.</summary>
    Louvain,
}

/// <summary>Options of one <see cref="CommunityDetector.Detect"/> call; the defaults suit graphs up to millions of edges.</summary>
public sealed class CommunityDetectionOptions
{
    /// <summary>The algorithm. Default <see cref="CommunityAlgorithm.Leiden"/>.</summary>
    public CommunityAlgorithm Algorithm { get; init; } = CommunityAlgorithm.Leiden;

    /// <summary>
    /// The modularity resolution γ: above 1 favours more, smaller communities, below 1 fewer, larger ones. Default 1;
    /// must be finite and positive.
    /// </summary>
    public double Resolution { get; init; } = 1;

    /// <summary>The seed of the random node orders and of Leiden's refinement: one seed, one result. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Leiden's refinement randomness θ, in units of the graph's mean edge weight: a node joins a sub-community with
    /// probability proportional to <c>exp(gain / θ)</c>, so small values are nearly greedy. Default 0.01 (as in
    /// leidenalg and igraph); must be finite and positive.
    /// </summary>
    public double Randomness { get; init; } = 0.01;

    /// <summary>
    /// The most levels in one run: each level moves nodes between communities, then merges each community into one
    /// node of the next level's graph. Default 64; real graphs rarely need more than 10.
    /// </summary>
    public int MaxLevels { get; init; } = 64;

    /// <summary>
    /// The most passes over the nodes in one local-moving phase: Louvain's sweeps, or, for Leiden's queue,
    /// <c>MaxIterations × nodes</c> node visits. Moving stops earlier once no node gains by moving. Default 100.
    /// </summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// How many times Leiden runs, each run starting from the last one's communities; it stops earlier at the first
    /// run that changes nothing. Louvain runs once. Default 10.
    /// </summary>
    public int LeidenIterations { get; init; } = 10;

    internal void Validate()
    {
        if (!Enum.IsDefined(Algorithm))
        {
            throw Invalid(nameof(Algorithm), Algorithm, "Leiden or Louvain");
        }

        if (!double.IsFinite(Resolution) || Resolution <= 0)
        {
            throw Invalid(nameof(Resolution), Resolution, "a finite number above 0");
        }

        if (!double.IsFinite(Randomness) || Randomness <= 0)
        {
            throw Invalid(nameof(Randomness), Randomness, "a finite number above 0");
        }

        if (MaxLevels < 1)
        {
            throw Invalid(nameof(MaxLevels), MaxLevels, "at least 1");
        }

        if (MaxIterations < 1)
        {
            throw Invalid(nameof(MaxIterations), MaxIterations, "at least 1");
        }

        if (LeidenIterations < 1)
        {
            throw Invalid(nameof(LeidenIterations), LeidenIterations, "at least 1");
        }
    }

    private static ArgumentException Invalid(string name, object value, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture, $"CommunityDetectionOptions.{name} is {value}; it must be {expected}."));
}
