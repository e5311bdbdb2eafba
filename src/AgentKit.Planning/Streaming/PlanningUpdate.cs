namespace AgentKit.Planning;

/// <summary>What a <see cref="PlanningUpdate"/> reports.</summary>
public enum PlanningUpdateKind
{
    /// <summary>A step began: a model call (or a batch of sibling calls) or a tool call. <see cref="PlanningUpdate.Name"/> is the prompt or tool.</summary>
    StepStarted,

    /// <summary>
    /// A piece of a model call's text as the model produces it (<see cref="PlanningUpdate.Text"/>). Calls issued as a
    /// batch or in parallel (self-consistency paths, Tree-of-Thoughts siblings, debate rounds) are not streamed: their
    /// text arrives whole in their <see cref="StepCompleted"/> updates.
    /// </summary>
    TextDelta,

    /// <summary>A step was added to the trace (<see cref="PlanningUpdate.Step"/>): a model call, a tool call and its observation, a plan or revision, a decision (votes, candidates, rounds, early stop, fallback).</summary>
    StepCompleted,

    /// <summary>A limit of the budget ended the run (<see cref="PlanningUpdate.BudgetExceeded"/>); a <see cref="Completed"/> update follows.</summary>
    BudgetStopped,

    /// <summary>The run ended; always the last update. <see cref="PlanningUpdate.Result"/> is what the non-streaming call returns, <see cref="PlanningUpdate.Text"/> its answer.</summary>
    Completed,
}

/// <summary>
/// Something that happened in a planning run, in order, as <see cref="PlanningStreaming"/> reports it while the run goes on.
/// </summary>
public sealed record PlanningUpdate
{
    /// <summary>What happened.</summary>
    public required PlanningUpdateKind Kind { get; init; }

    /// <summary>The strategy the update comes from (<see cref="PlannerNames"/> for the built-ins).</summary>
    public required string Planner { get; init; }

    /// <summary>The step's kind (<see cref="PlanningUpdateKind.StepStarted"/>, <see cref="PlanningUpdateKind.TextDelta"/>, <see cref="PlanningUpdateKind.StepCompleted"/>).</summary>
    public TraceStepKind? StepKind { get; init; }

    /// <summary>The prompt name of a model call (<c>planning/cot</c>), the tool of a tool call, or a decision's label.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Numbers a model call across its <see cref="PlanningUpdateKind.StepStarted"/>, <see cref="PlanningUpdateKind.TextDelta"/>
    /// and <see cref="PlanningUpdateKind.StepCompleted"/> updates (from 1 in each run); <see langword="null"/> for other steps.
    /// </summary>
    public int? Call { get; init; }

    /// <summary>The text of a <see cref="PlanningUpdateKind.TextDelta"/>; the answer of <see cref="PlanningUpdateKind.Completed"/> (<see langword="null"/> when there is none).</summary>
    public string? Text { get; init; }

    /// <summary>The trace step of a <see cref="PlanningUpdateKind.StepCompleted"/>.</summary>
    public TraceStep? Step { get; init; }

    /// <summary>The limit that stopped the run (<see cref="PlanningUpdateKind.BudgetStopped"/>).</summary>
    public BudgetExceeded? BudgetExceeded { get; init; }

    /// <summary>The run's result (<see cref="PlanningUpdateKind.Completed"/>).</summary>
    public PlanningResult? Result { get; init; }
}
