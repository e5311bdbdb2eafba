using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Self-consistency (Wang et al. 2022): samples several chain-of-thought paths, extracts and normalises each
/// path's answer, and returns the plurality answer with its vote share as confidence. Paths are issued in waves;
/// between waves the run stops early once the leader cannot be overtaken. When the client offers
/// <see cref="AgentKit.Abstractions.IMultiSequenceChatClient"/> a wave is one multi-sequence batch (the prompt is
/// decoded once and all paths advance together); otherwise a wave is parallel requests. Cost: up to
/// <see cref="SelfConsistencyOptions.Paths"/> calls, plus extraction calls for paths whose answer cannot be parsed.
/// </summary>
public sealed class SelfConsistencyPlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public SelfConsistencyPlanner(IPromptRegistry prompts, ILogger<SelfConsistencyPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/> by majority vote over sampled reasoning paths.</summary>
    /// <param name="client">The model.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="SelfConsistencyOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The winning answer, its confidence, the votes and paths, trace, usage and calls.</returns>
    public async Task<SelfConsistencyResult> RunAsync(IChatClient client, string question, SelfConsistencyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new SelfConsistencyOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.SelfConsistency, client, _prompts, options.Budget, cancellationToken);
        var result = await RunInAsync(run, question, options, _logger).ConfigureAwait(false);
        return PlanningLog.Finish(_logger, run, result);
    }

    /// <summary>Runs the vote inside an existing run (ReAct's fallback shares its budget and trace).</summary>
    internal static async Task<SelfConsistencyResult> RunInAsync(PlanningRun run, string question, SelfConsistencyOptions options, ILogger logger)
    {
        var tally = new VoteTally();
        var batch = options.UseMultiSequence && run.MultiSequence is not null;
        var waveSize = options.WaveSize ?? (batch ? run.MultiSequence!.MaxSequences : options.MaxConcurrency);
        var (name, inputs) = CotPrompt.Build(question, options.Format, options.Examples, options.ZeroShotPrompt, options.FewShotPrompt);
        var prompt = run.Prompt(name);
        var stoppedEarly = false;
        BudgetExceeded? exceeded = null;
        try
        {
            while (tally.Paths.Count < options.Paths)
            {
                var issued = tally.Paths.Count;
                var chatOptions = options.ChatOptions?.Clone() ?? new ChatOptions();
                chatOptions.Temperature = options.Temperature;
                chatOptions.TopK = options.TopK;
                if (options.ChatOptions?.Seed is { } seed)
                {
                    chatOptions.Seed = seed + issued;
                }

                var wave = Math.Min(waveSize, options.Paths - issued);
                var responses = await run.SampleAsync(prompt, inputs, wave, chatOptions, batch, options.MaxConcurrency).ConfigureAwait(false);
                foreach (var response in responses)
                {
                    var answer = await AnswerExtractor.ExtractAsync(run, question, response.Text, options.Format, options.Extraction).ConfigureAwait(false);
                    tally.Add(new ReasoningPath(response.Text, answer));
                }

                var remaining = options.Paths - tally.Paths.Count;
                if (options.EarlyStop && remaining > 0 && tally.IsDecided(remaining))
                {
                    var leader = tally.Leader!.Value;
                    PlanningLog.EarlyStop(logger, tally.Paths.Count, options.Paths, leader.Answer, leader.Votes);
                    run.Trace.Add(TraceStepKind.Decision, "early-stop", $"{tally.Paths.Count} of {options.Paths} paths",
                        $"'{leader.Answer}' leads with {leader.Votes} vote(s); {remaining} path(s) cannot overtake it", tally.Confidence);
                    stoppedEarly = true;
                    break;
                }
            }
        }
        catch (BudgetExhaustedException e)
        {
            exceeded = e.Exceeded;
        }

        var winner = tally.Leader;
        run.Trace.Add(TraceStepKind.Decision, "vote", string.Join(", ", tally.Votes.Select(v => $"{v.Key}: {v.Value}")),
            winner?.Answer ?? "(no answer)", tally.Confidence);
        return new SelfConsistencyResult
        {
            Planner = PlannerNames.SelfConsistency,
            Outcome = exceeded is not null ? PlanningOutcome.BudgetExceeded : winner is null ? PlanningOutcome.NoAnswer : PlanningOutcome.Answered,
            Answer = winner?.Answer,
            Reason = exceeded?.ToString() ?? (winner is null ? $"none of the {tally.Paths.Count} paths gave a {options.Format.Kind} answer" : null),
            BudgetExceeded = exceeded,
            Confidence = tally.Confidence,
            Votes = tally.Votes,
            Paths = tally.Paths,
            PathsRequested = options.Paths,
            StoppedEarly = stoppedEarly,
            UsedMultiSequence = batch,
            Batches = run.BatchedRequests,
        };
    }
}
