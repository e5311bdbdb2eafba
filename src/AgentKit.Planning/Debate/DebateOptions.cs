using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>How a debate that ends without consensus is decided.</summary>
public enum DebateDecision
{
    /// <summary>Plurality of the agents' final answers; a tie goes to the answer reached first (agent order).</summary>
    Majority,

    /// <summary>A judge call (<c>planning/debate-judge</c>) reads the final solutions and picks the answer; an unreadable verdict falls back to the majority.</summary>
    Judge,
}

/// <summary>Options of <see cref="DebatePlanner"/>. Defaults follow Du et al. (2023): 3 agents, 2 rounds of debate.</summary>
public sealed record DebateOptions
{
    /// <summary>Agents, 2 to 16. Default: 3.</summary>
    public int Agents { get; init; } = 3;

    /// <summary>Rounds, 1 to 10: the first where each agent answers alone, then rounds that show each agent the others' answers. Default: 3.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Stop as soon as every agent gives the same answer. Default: true.</summary>
    public bool EarlyStopOnConsensus { get; init; } = true;

    /// <summary>How a debate without consensus is decided. Default: <see cref="DebateDecision.Majority"/>.</summary>
    public DebateDecision Decision { get; init; } = DebateDecision.Majority;

    /// <summary>Sampling temperature of the agents, so that agents sharing one model reason differently. Default: 0.7.</summary>
    public float Temperature { get; init; } = 0.7f;

    /// <summary>The answer's format; answers are compared in its canonical form. Default: <see cref="AnswerFormat.Text"/>.</summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Text();

    /// <summary>How each answer is found. Default: <see cref="AnswerExtraction.ParseThenModel"/>.</summary>
    public AnswerExtraction Extraction { get; init; } = AnswerExtraction.ParseThenModel;

    /// <summary>Other agents' solutions are cut to this many characters in a debate prompt (at least 64), bounding the prompt at (agents − 1) × this. Default: 2000.</summary>
    public int MaxSolutionChars { get; init; } = 2000;

    /// <summary>Decode a round's agents in one multi-sequence request when the engine offers it (<see cref="AgentKit.Abstractions.IMultiSequenceChatClient"/>). Default: true.</summary>
    public bool UseMultiSequence { get; init; } = true;

    /// <summary>Most requests in flight at once when a round is not batched. Default: 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>The first round's prompt. Default: <c>planning/cot</c>.</summary>
    public string FirstRoundPrompt { get; init; } = "planning/cot";

    /// <summary>The later rounds' prompt. Default: <c>planning/debate</c>.</summary>
    public string DebatePrompt { get; init; } = "planning/debate";

    /// <summary>
    /// The keyed <see cref="IChatClient"/> service the judge runs on when the planner is selected by name
    /// (<see cref="IPlanner"/>) and <see cref="Decision"/> is <see cref="DebateDecision.Judge"/>; checked at start.
    /// Default: none (the agents' client, in the judge's role).
    /// </summary>
    public string? JudgeModel { get; init; }

    /// <summary>The judge's prompt. Default: <c>planning/debate-judge</c>.</summary>
    public string JudgePrompt { get; init; } = "planning/debate-judge";

    /// <summary>Further options for every agent call (max tokens; a seed: agent i of round r uses seed + r × agents + i). Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Agents, 2, nameof(Agents));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Agents, 16, nameof(Agents));
        ArgumentOutOfRangeException.ThrowIfLessThan(Rounds, 1, nameof(Rounds));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Rounds, 10, nameof(Rounds));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSolutionChars, 64, nameof(MaxSolutionChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        ArgumentNullException.ThrowIfNull(Format, nameof(Format));
        if (JudgeModel is { } key && string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("DebateOptions.JudgeModel must name a keyed chat client (or be null for the agents').", nameof(JudgeModel));
        }
    }
}
