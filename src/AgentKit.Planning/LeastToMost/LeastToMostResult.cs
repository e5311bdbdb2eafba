namespace AgentKit.Planning;

/// <summary>A sub-question and the answer found for it.</summary>
/// <param name="Question">The sub-question.</param>
/// <param name="Answer">The answer carried into later calls (the text after "The answer is", else the reply's last line, cut).</param>
/// <param name="Reasoning">The model's full reply.</param>
public sealed record SolvedSubquestion(string Question, string Answer, string Reasoning);

/// <summary>The result of <see cref="LeastToMostPlanner"/>.</summary>
public sealed record LeastToMostResult : PlanningResult
{
    /// <summary>The sub-questions the model wrote (after the cut at <see cref="LeastToMostOptions.MaxSubquestions"/>, the original question removed).</summary>
    public IReadOnlyList<string> Subquestions { get; init; } = [];

    /// <summary>The sub-questions answered, in order.</summary>
    public IReadOnlyList<SolvedSubquestion> Solved { get; init; } = [];

    /// <summary>Whether the decomposition could be read; when not, the question was answered directly (no sub-questions).</summary>
    public bool Decomposed { get; init; }

    /// <summary>The reasoning of the final call on the original question; <see langword="null"/> when the run stopped before it.</summary>
    public string? Reasoning { get; init; }
}
