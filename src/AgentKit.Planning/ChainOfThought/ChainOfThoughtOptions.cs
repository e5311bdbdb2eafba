using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="ChainOfThoughtPlanner"/>.</summary>
public sealed record ChainOfThoughtOptions
{
    /// <summary>The answer's format. Default: <see cref="AnswerFormat.Text"/> with the default normaliser.</summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Text();

    /// <summary>Worked examples; when any are given the few-shot prompt (<see cref="FewShotPrompt"/>) is used. Default: none (zero-shot).</summary>
    public IReadOnlyList<CotExample> Examples { get; init; } = [];

    /// <summary>How the answer is taken from the reasoning. Default: <see cref="AnswerExtraction.Model"/> (two-stage).</summary>
    public AnswerExtraction Extraction { get; init; } = AnswerExtraction.Model;

    /// <summary>The zero-shot prompt. Default: <c>planning/cot</c>.</summary>
    public string ZeroShotPrompt { get; init; } = "planning/cot";

    /// <summary>The few-shot prompt. Default: <c>planning/cot-few-shot</c>.</summary>
    public string FewShotPrompt { get; init; } = "planning/cot-few-shot";

    /// <summary>Options for the reasoning call, over the prompt's parameters (temperature, max tokens, seed…). Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;
}
