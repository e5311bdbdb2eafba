using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="PlanAndExecutePlanner"/>.</summary>
public sealed record PlanAndExecuteOptions
{
    /// <summary>The tools steps may use. Default: none.</summary>
    public IReadOnlyList<AIFunction> Tools { get; init; } = [];

    /// <summary>Most steps in a plan (and in a revised remainder). Default: 8.</summary>
    public int MaxPlanSteps { get; init; } = 8;

    /// <summary>Most revisions before the run gives up. Default: 3.</summary>
    public int MaxRevisions { get; init; } = 3;

    /// <summary>Most tool calls for one step; needing more invalidates the plan. Default: 3.</summary>
    public int MaxToolCallsPerStep { get; init; } = 3;

    /// <summary>Observations longer than this are cut, marked <c>[truncated: …]</c> (at least 64). Default: 4000 characters.</summary>
    public int MaxObservationChars { get; init; } = 4000;

    /// <summary>The planning prompt. Default: <c>planning/plan</c>.</summary>
    public string PlanPrompt { get; init; } = "planning/plan";

    /// <summary>The executor prompt. Default: <c>planning/execute-step</c>.</summary>
    public string ExecutePrompt { get; init; } = "planning/execute-step";

    /// <summary>The revision prompt. Default: <c>planning/replan</c>.</summary>
    public string ReplanPrompt { get; init; } = "planning/replan";

    /// <summary>Options for every call, over the prompts' parameters. Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPlanSteps, 1, nameof(MaxPlanSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRevisions, nameof(MaxRevisions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxToolCallsPerStep, 1, nameof(MaxToolCallsPerStep));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxObservationChars, 64, nameof(MaxObservationChars));
        ArgumentNullException.ThrowIfNull(Tools);
    }
}
