namespace AgentKit.Planning;

/// <summary>A verifier's or critic's verdict on an answer.</summary>
/// <param name="Accepted">Whether the answer stands.</param>
/// <param name="Feedback">What is wrong and how to fix it (shown to the model when it revises); may be empty when accepted.</param>
public sealed record AnswerReview(bool Accepted, string Feedback = "");

/// <summary>
/// Checks an answer in code (a unit test, a constraint solver, a lookup) instead of asking a model: the self-check
/// planner's programmatic verifier.
/// </summary>
/// <param name="question">The question.</param>
/// <param name="answer">The proposed answer, normalised in the run's <see cref="AnswerFormat"/>.</param>
/// <param name="cancellationToken">Stops the check.</param>
/// <returns>The verdict.</returns>
public delegate ValueTask<AnswerReview> AnswerVerifier(string question, string answer, CancellationToken cancellationToken);

/// <summary>One answer and its review, in a self-check or critique run.</summary>
/// <param name="Round">From 1: the first answer, then each revision.</param>
/// <param name="Answer">The answer, normalised; <see langword="null"/> when none could be extracted.</param>
/// <param name="Reasoning">The reasoning that reached it.</param>
/// <param name="Review">The verdict; <see langword="null"/> when the budget ran out before the review.</param>
public sealed record ReviewRound(int Round, string? Answer, string Reasoning, AnswerReview? Review);

/// <summary>The result of the planners that answer, review and revise: <see cref="SelfCheckPlanner"/> and <see cref="CritiquePlanner"/>.</summary>
public sealed record ReviewedResult : PlanningResult
{
    /// <summary>Whether the final answer was accepted by the verifier or critic. An answer that was never accepted is still returned (<see cref="PlanningResult.Answer"/>), with the last feedback as <see cref="PlanningResult.Reason"/>.</summary>
    public bool Accepted { get; init; }

    /// <summary>Each answer and its review, in order.</summary>
    public IReadOnlyList<ReviewRound> Rounds { get; init; } = [];
}
