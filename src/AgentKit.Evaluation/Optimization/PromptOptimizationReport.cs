using AgentKit.Evaluation.Reports;

namespace AgentKit.Evaluation.Optimization;

/// <summary>One candidate prompt and its score on the validation split.</summary>
public sealed record PromptCandidateResult
{
    /// <summary>The candidate's id: instruction, then shots (<c>strict-format+2</c>, <c>original+1#2</c> for a second set of one example).</summary>
    public required string Id { get; init; }

    /// <summary>The instruction variant's id (<see cref="InstructionVariant.OriginalId"/> for the prompt's own).</summary>
    public required string Instruction { get; init; }

    /// <summary>The number of demonstrations.</summary>
    public required int Shots { get; init; }

    /// <summary>The training cases the demonstrations came from, in the order they are shown.</summary>
    public required IReadOnlyList<string> ExampleCases { get; init; }

    /// <summary>Passed runs over runs on the validation split.</summary>
    public required double ValidationPassRate { get; init; }

    /// <summary>Validation runs that passed.</summary>
    public required int PassedRuns { get; init; }

    /// <summary>Validation runs.</summary>
    public required int Runs { get; init; }

    /// <summary>Calls this candidate's validation runs sent to the model (cached ones included).</summary>
    public required long Calls { get; init; }

    /// <summary>The validation cases it failed.</summary>
    public required IReadOnlyList<string> FailedCases { get; init; }
}

/// <summary>
/// What <see cref="PromptOptimizer"/> did: the split, the demonstrations it bootstrapped, every candidate's
/// validation score, the calls it spent against the budget, the best candidate and the file it wrote.
/// </summary>
public sealed record PromptOptimizationReport
{
    /// <summary>The report format's version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The prompt's name.</summary>
    public required string Prompt { get; init; }

    /// <summary>The prompt file optimised (not modified).</summary>
    public required string SourceFile { get; init; }

    /// <summary>The new version written, or <see langword="null"/> when no candidate beat the original on validation (or writing was off).</summary>
    public string? WrittenFile { get; init; }

    /// <summary>The new version's prompt name (<c>rag/answer.v2</c>), when written.</summary>
    public string? WrittenPrompt { get; init; }

    /// <summary>The dataset.</summary>
    public required string Dataset { get; init; }

    /// <summary>The model's name.</summary>
    public string? Model { get; init; }

    /// <summary>The seed of the split and the example sets.</summary>
    public required int Seed { get; init; }

    /// <summary>Runs per validation case.</summary>
    public required int Repeat { get; init; }

    /// <summary>The training cases (demonstrations come only from these).</summary>
    public required IReadOnlyList<string> TrainCases { get; init; }

    /// <summary>The validation cases (candidates are scored only on these).</summary>
    public required IReadOnlyList<string> ValidationCases { get; init; }

    /// <summary>The held-out test cases; empty when none were configured.</summary>
    public required IReadOnlyList<string> TestCases { get; init; }

    /// <summary>The budget of model calls.</summary>
    public required int Budget { get; init; }

    /// <summary>Calls sent to the model under test, cached ones included (what the budget counts).</summary>
    public required long CallsSpent { get; init; }

    /// <summary>Of those, calls that reached the model (when it is metered with <c>UseEvalMetering</c>).</summary>
    public required long ModelCalls { get; init; }

    /// <summary>Of those, calls a response cache answered (when one is configured).</summary>
    public required long CacheHits { get; init; }

    /// <summary>Training cases run to bootstrap demonstrations.</summary>
    public required int BootstrapRuns { get; init; }

    /// <summary>The demonstrations bootstrapped: the training cases the original prompt passed, with its replies.</summary>
    public required IReadOnlyList<Demonstration> Demonstrations { get; init; }

    /// <summary>The original prompt's validation score.</summary>
    public required PromptCandidateResult Baseline { get; init; }

    /// <summary>The best candidate (the baseline when nothing beat it).</summary>
    public required PromptCandidateResult Best { get; init; }

    /// <summary>Whether the best candidate beat the original on validation.</summary>
    public bool Improved => Best.ValidationPassRate > Baseline.ValidationPassRate;

    /// <summary>Every candidate evaluated, the baseline first, in the order they ran.</summary>
    public required IReadOnlyList<PromptCandidateResult> Candidates { get; init; }

    /// <summary>Candidates generated but not evaluated because the budget was spent.</summary>
    public required int CandidatesNotEvaluated { get; init; }

    /// <summary>Candidates skipped because their file would be over the prompt file size limit (long demonstrations).</summary>
    public int CandidatesTooLarge { get; init; }

    /// <summary>The original prompt's pass rate on the test split, when there is one.</summary>
    public double? TestBaselinePassRate { get; init; }

    /// <summary>The best candidate's pass rate on the test split, when there is one.</summary>
    public double? TestBestPassRate { get; init; }

    /// <summary>What the scores mean: which split they are on, and why a validation score that chose the winner is optimistic.</summary>
    public required string ScoreNote { get; init; }

    /// <summary>Writes the report as JSON (snake_case, as <see cref="EvalReport.JsonOptions"/>).</summary>
    /// <param name="path">The file; its folder is created.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public Task WriteJsonAsync(string path, CancellationToken cancellationToken = default) => EvalReport.WriteJsonAsync(path, this, cancellationToken);
}
