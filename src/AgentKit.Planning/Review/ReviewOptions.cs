using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>What the planners that answer, review and revise share: <see cref="SelfCheckOptions"/> and <see cref="CritiqueOptions"/>.</summary>
public abstract record ReviewOptions
{
    /// <summary>Revisions after a rejected answer, 0 to 10; each revision is reviewed again. Default: 2.</summary>
    public int MaxRevisions { get; init; } = 2;

    /// <summary>The answer's format. Default: <see cref="AnswerFormat.Text"/>.</summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Text();

    /// <summary>Worked examples for the first answer (few-shot). Default: none.</summary>
    public IReadOnlyList<CotExample> Examples { get; init; } = [];

    /// <summary>How answers are taken from the reasoning. Default: <see cref="AnswerExtraction.ParseThenModel"/>.</summary>
    public AnswerExtraction Extraction { get; init; } = AnswerExtraction.ParseThenModel;

    /// <summary>The revision prompt. Default: <c>planning/revise</c>.</summary>
    public string RevisePrompt { get; init; } = "planning/revise";

    /// <summary>The first answer's zero-shot prompt. Default: <c>planning/cot</c>.</summary>
    public string ZeroShotPrompt { get; init; } = "planning/cot";

    /// <summary>The first answer's few-shot prompt. Default: <c>planning/cot-few-shot</c>.</summary>
    public string FewShotPrompt { get; init; } = "planning/cot-few-shot";

    /// <summary>Options for the answer and revision calls, over the prompts' parameters. Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run, reviews included. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal virtual void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRevisions, 0, nameof(MaxRevisions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRevisions, 10, nameof(MaxRevisions));
        ArgumentNullException.ThrowIfNull(Format, nameof(Format));
    }
}
