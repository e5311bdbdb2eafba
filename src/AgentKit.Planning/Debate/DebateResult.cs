namespace AgentKit.Planning;

/// <summary>One agent's solution in one round of a debate.</summary>
/// <param name="Round">From 1.</param>
/// <param name="Agent">From 1.</param>
/// <param name="Reasoning">The agent's solution.</param>
/// <param name="Answer">Its normalised answer; <see langword="null"/> when none could be extracted.</param>
public sealed record DebateTurn(int Round, int Agent, string Reasoning, string? Answer);

/// <summary>The result of <see cref="DebatePlanner"/>.</summary>
public sealed record DebateResult : PlanningResult
{
    /// <summary>Every round's turns, in order (an agent the budget left without a turn keeps its previous one).</summary>
    public IReadOnlyList<IReadOnlyList<DebateTurn>> Rounds { get; init; } = [];

    /// <summary>Whether every agent's final answer was the same.</summary>
    public bool Consensus { get; init; }

    /// <summary>Whether consensus ended the debate before <see cref="DebateOptions.Rounds"/>.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>How the answer was decided: consensus, majority or judge.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>Final votes per normalised answer.</summary>
    public IReadOnlyDictionary<string, int> Votes { get; init; } = new Dictionary<string, int>();

    /// <summary>The judge's rationale, when a judge decided.</summary>
    public string? JudgeRationale { get; init; }

    /// <summary>Whether rounds were decoded in multi-sequence batches.</summary>
    public bool UsedMultiSequence { get; init; }
}
