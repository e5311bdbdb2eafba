using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="ProgramAidedPlanner"/>.</summary>
public sealed record ProgramAidedOptions
{
    /// <summary>Programs the model may write, 1 to 10: the first, then corrections after each failure. Default: 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The answer's format; what the program prints is normalised in it, and output that is not such an answer is fed back as a failure. Default: <see cref="AnswerFormat.Text"/>.</summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Text();

    /// <summary>Errors fed back to the model are cut to this many characters (at least 64). Default: 1000.</summary>
    public int MaxErrorChars { get; init; } = 1000;

    /// <summary>The program-writing prompt. Default: <c>planning/pal</c>.</summary>
    public string Prompt { get; init; } = "planning/pal";

    /// <summary>Options for every program-writing call, over the prompt's parameters. Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run; the time limit also stops a program in flight. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxAttempts, 10, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxErrorChars, 64, nameof(MaxErrorChars));
        ArgumentNullException.ThrowIfNull(Format, nameof(Format));
    }
}
