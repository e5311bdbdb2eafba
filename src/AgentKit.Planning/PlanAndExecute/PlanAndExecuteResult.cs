namespace AgentKit.Planning;

/// <summary>A step of a plan.</summary>
/// <param name="Description">What to do.</param>
/// <param name="Tool">The tool the planner expects it to use; <see langword="null"/> for a step of reasoning.</param>
public sealed record PlanStep(string Description, string? Tool);

/// <summary>A plan, or a revision of one.</summary>
/// <param name="Revision">0 for the first plan, then 1, 2, …</param>
/// <param name="Steps">The whole plan: completed steps followed by the (revised) remaining ones.</param>
/// <param name="Problem">For a revision, what invalidated the previous plan.</param>
public sealed record Plan(int Revision, IReadOnlyList<PlanStep> Steps, string? Problem);

/// <summary>A step that was carried out.</summary>
/// <param name="Step">The step.</param>
/// <param name="Result">What the executor reported.</param>
/// <param name="ToolCalls">The tool calls it made and their observations.</param>
public sealed record ExecutedStep(PlanStep Step, string Result, IReadOnlyList<ReActStep> ToolCalls);

/// <summary>The result of <see cref="PlanAndExecutePlanner"/>.</summary>
public sealed record PlanAndExecuteResult : PlanningResult
{
    /// <summary>The first plan and every revision, in order.</summary>
    public IReadOnlyList<Plan> Plans { get; init; } = [];

    /// <summary>The steps carried out, in order.</summary>
    public IReadOnlyList<ExecutedStep> Executed { get; init; } = [];
}
