using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>How a run ended.</summary>
public enum PlanningOutcome
{
    /// <summary>The strategy produced an answer.</summary>
    Answered,

    /// <summary>The strategy finished without an answer it could stand by (no path gave a parsable answer, no solution was found, the plan could not be completed).</summary>
    NoAnswer,

    /// <summary>A budget limit stopped the run; <see cref="PlanningResult.BudgetExceeded"/> says which and what was spent. <see cref="PlanningResult.Answer"/> holds the best answer so far, if any.</summary>
    BudgetExceeded,
}

/// <summary>What every strategy returns: the answer, how the run ended, the full trace, tokens and calls.</summary>
public abstract record PlanningResult
{
    /// <summary>The name of the strategy that ran (<see cref="PlannerNames"/> for the built-ins).</summary>
    public required string Planner { get; init; }

    /// <summary>How the run ended.</summary>
    public required PlanningOutcome Outcome { get; init; }

    /// <summary>The answer (normalised when the strategy extracts answers in a format); <see langword="null"/> when there is none.</summary>
    public string? Answer { get; init; }

    /// <summary>Why there is no answer, or which limit stopped the run, in words.</summary>
    public string? Reason { get; init; }

    /// <summary>Set when <see cref="Outcome"/> is <see cref="PlanningOutcome.BudgetExceeded"/>.</summary>
    public BudgetExceeded? BudgetExceeded { get; init; }

    /// <summary>Every step: prompts, outputs, scores, tool calls, decisions.</summary>
    public PlanningTrace Trace { get; init; } = new();

    /// <summary>Tokens, summed over every completion's <see cref="UsageDetails"/>.</summary>
    public UsageDetails Usage { get; init; } = new();

    /// <summary>Model completions made (each sequence of a multi-sequence batch counts once).</summary>
    public int ModelCalls { get; init; }

    /// <summary>Requests sent to the client: a multi-sequence batch is one request for several completions.</summary>
    public int Requests { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }
}
