using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>How the tree is searched.</summary>
public enum ThoughtSearch
{
    /// <summary>Breadth-first: keep the best <see cref="TreeOfThoughtsOptions.Breadth"/> states per level, for <see cref="TreeOfThoughtsOptions.Depth"/> levels.</summary>
    Bfs,

    /// <summary>Depth-first: follow the best child while its value reaches <see cref="TreeOfThoughtsOptions.ValueThreshold"/>, prune the rest, backtrack from dead ends.</summary>
    Dfs,
}

/// <summary>How candidate thoughts are generated.</summary>
public enum ThoughtGenerator
{
    /// <summary>Independent samples of one next step (<see cref="TreeOfThoughtsOptions.SamplesPerState"/> per state); suits rich thought spaces.</summary>
    Sample,

    /// <summary>One call lists several next steps; suits constrained thought spaces (the Game of 24).</summary>
    Propose,
}

/// <summary>How states are scored.</summary>
public enum ThoughtEvaluator
{
    /// <summary>Each state judged on its own as sure / likely / impossible, mapped through <see cref="TreeOfThoughtsOptions.VerdictScores"/> and summed over <see cref="TreeOfThoughtsOptions.ValueSamples"/> evaluations.</summary>
    Value,

    /// <summary>The candidates compared together; a state's score is the votes it gets over <see cref="TreeOfThoughtsOptions.VoteSamples"/> votes.</summary>
    Vote,
}

/// <summary>How BFS keeps states.</summary>
public enum ThoughtSelection
{
    /// <summary>The highest-scored states.</summary>
    Greedy,

    /// <summary>States drawn without replacement with probability proportional to their score.</summary>
    Sample,
}

/// <summary>Scores of the value evaluator's verdicts (Yao et al. 2023: 20 / 1 / 0.001).</summary>
/// <param name="Sure">Score of "sure".</param>
/// <param name="Likely">Score of "likely".</param>
/// <param name="Impossible">Score of "impossible".</param>
public sealed record VerdictScores(double Sure = 20, double Likely = 1, double Impossible = 0.001);

/// <summary>Options of <see cref="TreeOfThoughtsPlanner"/>.</summary>
public sealed record TreeOfThoughtsOptions
{
    /// <summary>BFS or DFS. Default: BFS.</summary>
    public ThoughtSearch Search { get; init; } = ThoughtSearch.Bfs;

    /// <summary>Propose or sample. Default: propose.</summary>
    public ThoughtGenerator Generator { get; init; } = ThoughtGenerator.Propose;

    /// <summary>Value or vote. Default: value.</summary>
    public ThoughtEvaluator Evaluator { get; init; } = ThoughtEvaluator.Value;

    /// <summary>Greedy or sampled selection (BFS). Default: greedy.</summary>
    public ThoughtSelection Selection { get; init; } = ThoughtSelection.Greedy;

    /// <summary>Most steps from the root (T). Default: 3 (the Game of 24 needs 3).</summary>
    public int Depth { get; init; } = 3;

    /// <summary>States kept per BFS level (b). Default: 5.</summary>
    public int Breadth { get; init; } = 5;

    /// <summary>Next steps the propose prompt is asked to list (its <c>count</c> input, where it has one). Default: 8.</summary>
    public int ProposalsPerState { get; init; } = 8;

    /// <summary>Samples per state with the sample generator (k). Default: 5.</summary>
    public int SamplesPerState { get; init; } = 5;

    /// <summary>Evaluations per state with the value evaluator (n). Default: 3.</summary>
    public int ValueSamples { get; init; } = 3;

    /// <summary>Votes per level with the vote evaluator. Default: 5.</summary>
    public int VoteSamples { get; init; } = 5;

    /// <summary>The value evaluator's verdict scores. Default: 20 / 1 / 0.001.</summary>
    public VerdictScores VerdictScores { get; init; } = new();

    /// <summary>DFS: a child whose score is below this is pruned. Default: 3 (at least one "likely"-or-better evaluation in three).</summary>
    public double ValueThreshold { get; init; } = 3;

    /// <summary>DFS: most states expanded before the search gives up. Default: 100.</summary>
    public int MaxDfsSteps { get; init; } = 100;

    /// <summary>Most nodes the tree may hold; reaching it ends the run as <see cref="PlanningOutcome.BudgetExceeded"/>. Default: 2000.</summary>
    public int MaxNodes { get; init; } = 2000;

    /// <summary>End as soon as a generated state is a solution (checked by the task), without evaluating it. Default: true.</summary>
    public bool StopAtFirstSolution { get; init; } = true;

    /// <summary>Batch sibling calls through the engine's multi-sequence decoding when the client offers it. Default: true.</summary>
    public bool UseMultiSequence { get; init; } = true;

    /// <summary>Most requests in flight at once when calls are not batched. Default: 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Seed for sampled selection; with a <see cref="ChatOptions"/> seed, calls get seed + call number. Default: none.</summary>
    public int? Seed { get; init; }

    /// <summary>Options for every call, over the prompts' parameters (max tokens, temperature, seed). Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Depth, 1, nameof(Depth));
        ArgumentOutOfRangeException.ThrowIfLessThan(Breadth, 1, nameof(Breadth));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProposalsPerState, 1, nameof(ProposalsPerState));
        ArgumentOutOfRangeException.ThrowIfLessThan(SamplesPerState, 1, nameof(SamplesPerState));
        ArgumentOutOfRangeException.ThrowIfLessThan(ValueSamples, 1, nameof(ValueSamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(VoteSamples, 1, nameof(VoteSamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDfsSteps, 1, nameof(MaxDfsSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodes, 1, nameof(MaxNodes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        ArgumentNullException.ThrowIfNull(VerdictScores, nameof(VerdictScores));
    }
}
