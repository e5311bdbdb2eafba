using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="ReActPlanner"/>.</summary>
public sealed record ReActOptions
{
    /// <summary>The tools the model may call. Default: none.</summary>
    public IReadOnlyList<AIFunction> Tools { get; init; } = [];

    /// <summary>Most Thought/Action/Observation turns before giving up on tools. Default: 8.</summary>
    public int MaxSteps { get; init; } = 8;

    /// <summary>At the step cap, answer by self-consistency over the question (ReAct → CoT-SC, Yao et al. 2022). Default: true.</summary>
    public bool FallbackToSelfConsistency { get; init; } = true;

    /// <summary>The fallback's options (its budget is ignored: the fallback spends what is left of this run's). Default: 5 paths, free-text answers.</summary>
    public SelfConsistencyOptions Fallback { get; init; } = new() { Paths = 5 };

    /// <summary>Observations longer than this are cut, marked <c>[truncated: …]</c> (at least 64). Default: 4000 characters.</summary>
    public int MaxObservationChars { get; init; } = 4000;

    /// <summary>The turn prompt. Default: <c>planning/react</c>.</summary>
    public string Prompt { get; init; } = "planning/react";

    /// <summary>Options for every turn, over the prompt's parameters. Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run, fallback included. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSteps, 1, nameof(MaxSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxObservationChars, 64, nameof(MaxObservationChars));
        ArgumentNullException.ThrowIfNull(Tools);
        Fallback.Validate();
    }
}
