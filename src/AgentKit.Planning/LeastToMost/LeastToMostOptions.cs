using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="LeastToMostPlanner"/>.</summary>
public sealed record LeastToMostOptions
{
    /// <summary>The most sub-questions solved before the original question, 1 to 20; a longer decomposition is cut (the cut is traced). Default: 6.</summary>
    public int MaxSubquestions { get; init; } = 6;

    /// <summary>Each sub-answer carried into later calls is cut to this many characters (at least 16), bounding the context. Default: 500.</summary>
    public int MaxSubanswerChars { get; init; } = 500;

    /// <summary>The final answer's format. Default: <see cref="AnswerFormat.Text"/>.</summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Text();

    /// <summary>How the final answer is taken from the last reasoning. Default: <see cref="AnswerExtraction.ParseThenModel"/>.</summary>
    public AnswerExtraction Extraction { get; init; } = AnswerExtraction.ParseThenModel;

    /// <summary>The decomposition prompt (structured <c>{subquestions}</c>). Default: <c>planning/ltm-decompose</c>.</summary>
    public string DecomposePrompt { get; init; } = "planning/ltm-decompose";

    /// <summary>The prompt that answers one sub-question with the earlier answers. Default: <c>planning/ltm-solve</c>.</summary>
    public string SolvePrompt { get; init; } = "planning/ltm-solve";

    /// <summary>Options for every call, over the prompts' parameters. Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSubquestions, 1, nameof(MaxSubquestions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxSubquestions, 20, nameof(MaxSubquestions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSubanswerChars, 16, nameof(MaxSubanswerChars));
        ArgumentNullException.ThrowIfNull(Format, nameof(Format));
    }
}
