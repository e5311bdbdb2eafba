using AgentKit.Graph.Communities;

namespace AgentKit.Graph;

/// <summary>How communities are found and summarised (configuration <c>AgentKit:Graph:Communities</c>).</summary>
public sealed class CommunitySummaryOptions
{
    /// <summary>The summary prompt's name in the prompt registry. Default <c>graph/summarize-community</c>.</summary>
    public string PromptName { get; set; } = "graph/summarize-community";

    /// <summary>The detection algorithm. Default <see cref="CommunityAlgorithm.Leiden"/>.</summary>
    public CommunityAlgorithm Algorithm { get; set; } = CommunityAlgorithm.Leiden;

    /// <summary>The modularity resolution (above 1: more, smaller communities). Default 1; from 0.01 to 100.</summary>
    public double Resolution { get; set; } = 1;

    /// <summary>Communities with fewer entities are not summarised. Default 2; from 2 to 1,000.</summary>
    public int MinMembers { get; set; } = 2;

    /// <summary>Communities summarised at most, the largest first; a refresh never makes more model calls than this. Default 500; from 1 to 100,000.</summary>
    public int MaxCommunities { get; set; } = 500;

    /// <summary>Relations of one community read for its report. Default 200; from 1 to 10,000.</summary>
    public int MaxRelationsPerCommunity { get; set; } = 200;

    /// <summary>Tokens of one community's input to the model; entities and relations past it are left out. Default 2,000; from 100 to 100,000.</summary>
    public int MaxInputTokens { get; set; } = 2_000;

    /// <summary>Words a summary may have (told to the model). Default 200; from 20 to 2,000.</summary>
    public int MaxSummaryWords { get; set; } = 200;

    /// <summary>
    /// Whether the host refreshes the summaries after graph updates (<see cref="RefreshDelay"/> after the last one), so
    /// only changed communities are summarised again. Default true; when false, call
    /// <see cref="CommunitySummarizer.RefreshAsync"/> yourself.
    /// </summary>
    public bool RefreshAfterUpdates { get; set; } = true;

    /// <summary>How long after the last graph update the host waits before a refresh, so a burst of updates makes one refresh. Default 5 s; from 0 to 1 hour.</summary>
    public TimeSpan RefreshDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PromptName, nameof(PromptName));
        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(Algorithm), Algorithm, "CommunitySummaryOptions.Algorithm must be Leiden or Louvain.");
        }

        if (double.IsNaN(Resolution) || Resolution is < 0.01 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Resolution), Resolution, "CommunitySummaryOptions.Resolution must be from 0.01 to 100.");
        }

        Range(MinMembers, 2, 1_000, nameof(MinMembers));
        Range(MaxCommunities, 1, 100_000, nameof(MaxCommunities));
        Range(MaxRelationsPerCommunity, 1, 10_000, nameof(MaxRelationsPerCommunity));
        Range(MaxInputTokens, 100, 100_000, nameof(MaxInputTokens));
        Range(MaxSummaryWords, 20, 2_000, nameof(MaxSummaryWords));
        if (RefreshDelay < TimeSpan.Zero || RefreshDelay > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshDelay), RefreshDelay, "CommunitySummaryOptions.RefreshDelay must be from 0 to 1 hour.");
        }
    }

    private static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"CommunitySummaryOptions.{name} must be from {min} to {max}.");
        }
    }
}
