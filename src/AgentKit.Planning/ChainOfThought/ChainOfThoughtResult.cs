namespace AgentKit.Planning;

/// <summary>The result of <see cref="ChainOfThoughtPlanner"/>.</summary>
public sealed record ChainOfThoughtResult : PlanningResult
{
    /// <summary>The model's reasoning; <see langword="null"/> when the budget stopped the run before it.</summary>
    public string? Reasoning { get; init; }
}
