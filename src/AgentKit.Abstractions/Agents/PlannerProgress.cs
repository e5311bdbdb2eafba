namespace AgentKit.Abstractions.Agents;

/// <summary>
/// What the planning strategy that runs before an agent's model loop is doing, reported to the run's events as it
/// happens (<see cref="AgentTurnContext.ReportPlannerProgress"/>).
/// </summary>
/// <param name="Planner">The strategy.</param>
/// <param name="Kind">
/// <c>step_started</c>, <c>text_delta</c> (a piece of a model call's text as it streams), <c>step_completed</c>,
/// <c>budget_stopped</c> or <c>completed</c> (the last, with the answer as <paramref name="Text"/>).
/// </param>
/// <param name="StepKind"><c>model_call</c>, <c>tool_call</c>, <c>plan</c> or <c>decision</c> for steps; <see langword="null"/> otherwise.</param>
/// <param name="Name">The prompt of a model call, the tool of a tool call, a decision's label, or the limit that stopped the run.</param>
/// <param name="Text">The new text of a delta; a completed step's output, shortened; the answer.</param>
public sealed record PlannerProgress(string Planner, string Kind, string? StepKind, string? Name, string? Text);
