using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>Options of <see cref="SelfConsistencyPlanner"/>. Defaults follow Wang et al. (2022) where the paper sets them.</summary>
public sealed record SelfConsistencyOptions
{
    /// <summary>Reasoning paths to sample, 1 to 256. Default: 8.</summary>
    public int Paths { get; init; } = 8;

    /// <summary>Sampling temperature of every path. Default: 0.7.</summary>
    public float Temperature { get; init; } = 0.7f;

    /// <summary>Top-k sampling (<see cref="ChatOptions.TopK"/>). Default: 40.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>The answer's format; answers are compared in its canonical form. Default: <see cref="AnswerFormat.Text"/>.</summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Text();

    /// <summary>Worked examples for few-shot reasoning. Default: none (zero-shot).</summary>
    public IReadOnlyList<CotExample> Examples { get; init; } = [];

    /// <summary>How each path's answer is found. Default: <see cref="AnswerExtraction.ParseThenModel"/> (an extra call only for paths whose answer cannot be parsed).</summary>
    public AnswerExtraction Extraction { get; init; } = AnswerExtraction.ParseThenModel;

    /// <summary>Stop once the leading answer cannot be overtaken by the paths still to come. Never changes the answer. Default: true.</summary>
    public bool EarlyStop { get; init; } = true;

    /// <summary>
    /// Paths issued per wave (the early-stop check runs between waves). Default: <see langword="null"/> —
    /// <see cref="AgentKit.Abstractions.IMultiSequenceChatClient.MaxSequences"/> with multi-sequence decoding, else <see cref="MaxConcurrency"/>.
    /// </summary>
    public int? WaveSize { get; init; }

    /// <summary>Use the engine's multi-sequence decoding when the client offers it. Default: true.</summary>
    public bool UseMultiSequence { get; init; } = true;

    /// <summary>Most requests in flight at once when decoding is not batched. Default: 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>The zero-shot prompt. Default: <c>planning/cot</c>.</summary>
    public string ZeroShotPrompt { get; init; } = "planning/cot";

    /// <summary>The few-shot prompt. Default: <c>planning/cot-few-shot</c>.</summary>
    public string FewShotPrompt { get; init; } = "planning/cot-few-shot";

    /// <summary>Further options for every path (max tokens, a seed: path i then uses seed + i). Temperature and top-k above win. Default: none.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Limits on the run. Default: <see cref="PlanningBudget.Unlimited"/>.</summary>
    public PlanningBudget Budget { get; init; } = PlanningBudget.Unlimited;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Paths, 1, nameof(Paths));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Paths, 256, nameof(Paths));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        if (WaveSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(WaveSize), WaveSize, "SelfConsistencyOptions.WaveSize must be at least 1 (or null for the default).");
        }

        ArgumentNullException.ThrowIfNull(Format, nameof(Format));
    }
}
