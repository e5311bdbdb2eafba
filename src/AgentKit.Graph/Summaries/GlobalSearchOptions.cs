namespace AgentKit.Graph;

/// <summary>How much global search reads and asks (configuration <c>AgentKit:Graph:GlobalSearch</c>).</summary>
public sealed class GlobalSearchOptions
{
    /// <summary>The map prompt's name. Default <c>graph/global-map</c>.</summary>
    public string MapPromptName { get; set; } = "graph/global-map";

    /// <summary>The reduce prompt's name. Default <c>graph/global-reduce</c>.</summary>
    public string ReducePromptName { get; set; } = "graph/global-reduce";

    /// <summary>Community reports read at most, the most similar to the question first. Default 16; from 1 to 1,000.</summary>
    public int MaxCommunities { get; set; } = 16;

    /// <summary>Tokens of reports in one map call; reports are batched to fit. Default 2,000; from 100 to 100,000.</summary>
    public int MaxMapTokens { get; set; } = 2_000;

    /// <summary>Map calls at most in one search (with the reduce call, the search's model calls are at most this plus one). Default 8; from 1 to 100.</summary>
    public int MaxMapCalls { get; set; } = 8;

    /// <summary>Map calls running at once. Default 4; from 1 to 32.</summary>
    public int MaxParallelMaps { get; set; } = 4;

    /// <summary>Points one map call may list. Default 5; from 1 to 10 (the prompt's schema bound).</summary>
    public int MaxPointsPerMap { get; set; } = 5;

    /// <summary>Points rated below this (0 to 100) are dropped before the reduce. Default 1; from 0 to 100.</summary>
    public int MinPointRating { get; set; } = 1;

    /// <summary>Tokens of points given to the reduce call; the best-rated first. Default 3,000; from 100 to 100,000.</summary>
    public int MaxReduceTokens { get; set; } = 3_000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(MapPromptName, nameof(MapPromptName));
        ArgumentException.ThrowIfNullOrWhiteSpace(ReducePromptName, nameof(ReducePromptName));
        Range(MaxCommunities, 1, 1_000, nameof(MaxCommunities));
        Range(MaxMapTokens, 100, 100_000, nameof(MaxMapTokens));
        Range(MaxMapCalls, 1, 100, nameof(MaxMapCalls));
        Range(MaxParallelMaps, 1, 32, nameof(MaxParallelMaps));
        Range(MaxPointsPerMap, 1, 10, nameof(MaxPointsPerMap));
        Range(MinPointRating, 0, 100, nameof(MinPointRating));
        Range(MaxReduceTokens, 100, 100_000, nameof(MaxReduceTokens));
    }

    private static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"GlobalSearchOptions.{name} must be from {min} to {max}.");
        }
    }
}
