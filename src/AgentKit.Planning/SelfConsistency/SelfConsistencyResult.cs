namespace AgentKit.Planning;

/// <summary>One sampled reasoning path.</summary>
/// <param name="Reasoning">The path's text.</param>
/// <param name="Answer">Its normalised answer; <see langword="null"/> when none could be extracted (the path abstains).</param>
public sealed record ReasoningPath(string Reasoning, string? Answer);

/// <summary>The result of <see cref="SelfConsistencyPlanner"/>.</summary>
public sealed record SelfConsistencyResult : PlanningResult
{
    /// <summary>The winner's share of the sampled paths (abstaining paths count in the denominator), 0 to 1.</summary>
    public double Confidence { get; init; }

    /// <summary>Votes per normalised answer.</summary>
    public IReadOnlyDictionary<string, int> Votes { get; init; } = new Dictionary<string, int>();

    /// <summary>The paths sampled, in order.</summary>
    public IReadOnlyList<ReasoningPath> Paths { get; init; } = [];

    /// <summary>Paths asked for (<see cref="SelfConsistencyOptions.Paths"/>).</summary>
    public int PathsRequested { get; init; }

    /// <summary>Whether early stopping saved paths.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Whether paths were decoded in multi-sequence batches.</summary>
    public bool UsedMultiSequence { get; init; }

    /// <summary>Multi-sequence batches sent.</summary>
    public int Batches { get; init; }
}
