namespace AgentKit.Planning;

/// <summary>One program the model wrote and what running it gave.</summary>
/// <param name="Program">The JavaScript, as taken from the reply (empty when the reply held none).</param>
/// <param name="Output">What it printed; empty when it did not run.</param>
/// <param name="Error">Why it gave no answer (a JavaScript error with its line, the sandbox limit it hit, output that is not an answer in the format); <see langword="null"/> when it did.</param>
public sealed record ProgramAttempt(string Program, string Output, string? Error);

/// <summary>The result of <see cref="ProgramAidedPlanner"/>.</summary>
public sealed record ProgramAidedResult : PlanningResult
{
    /// <summary>Every program written, in order; the last is the one that answered, when one did.</summary>
    public IReadOnlyList<ProgramAttempt> Attempts { get; init; } = [];
}
