namespace AgentKit.Planning;

/// <summary>One Thought/Action/Observation turn.</summary>
/// <param name="Thought">The model's thought.</param>
/// <param name="Tool">The tool it called; <see langword="null"/> when it finished or its reply was unusable.</param>
/// <param name="Arguments">The call's arguments as JSON text.</param>
/// <param name="Observation">What the tool (or the planner, for an unusable reply) answered; <see langword="null"/> on the finishing turn.</param>
public sealed record ReActStep(string Thought, string? Tool, string? Arguments, string? Observation);

/// <summary>The result of <see cref="ReActPlanner"/>.</summary>
public sealed record ReActResult : PlanningResult
{
    /// <summary>The turns, in order.</summary>
    public IReadOnlyList<ReActStep> Steps { get; init; } = [];

    /// <summary>Whether the step cap was hit and the answer came from self-consistency.</summary>
    public bool FellBack { get; init; }

    /// <summary>The fallback's result, when it ran.</summary>
    public SelfConsistencyResult? Fallback { get; init; }
}
