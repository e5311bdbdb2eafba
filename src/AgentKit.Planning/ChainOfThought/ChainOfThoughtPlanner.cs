using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Chain-of-thought: the model reasons step by step (zero-shot, or few-shot from worked examples), then the answer
/// is extracted in the declared <see cref="AnswerFormat"/>: parsed from the reasoning, or by a second call that reads
/// the reasoning (two-stage extraction). Cost: 1 call, plus 1 for model extraction.
/// </summary>
public sealed class ChainOfThoughtPlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public ChainOfThoughtPlanner(IPromptRegistry prompts, ILogger<ChainOfThoughtPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/>.</summary>
    /// <param name="client">The model.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="ChainOfThoughtOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The answer, reasoning, trace, usage and calls; a budget stop is an outcome, not an exception.</returns>
    public async Task<ChainOfThoughtResult> RunAsync(IChatClient client, string question, ChainOfThoughtOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new ChainOfThoughtOptions();
        using var run = new PlanningRun(PlannerNames.ChainOfThought, client, _prompts, options.Budget, cancellationToken);
        string? reasoning = null;
        try
        {
            var (name, inputs) = CotPrompt.Build(question, options.Format, options.Examples, options.ZeroShotPrompt, options.FewShotPrompt);
            reasoning = (await run.CompleteAsync(run.Prompt(name), inputs, options.ChatOptions).ConfigureAwait(false)).Text;
            var answer = await AnswerExtractor.ExtractAsync(run, question, reasoning, options.Format, options.Extraction).ConfigureAwait(false);
            return PlanningLog.Finish(_logger, run, new ChainOfThoughtResult
            {
                Planner = PlannerNames.ChainOfThought,
                Outcome = answer is null ? PlanningOutcome.NoAnswer : PlanningOutcome.Answered,
                Answer = answer,
                Reason = answer is null ? $"no {options.Format.Kind} answer could be extracted from the reasoning" : null,
                Reasoning = reasoning,
            });
        }
        catch (BudgetExhaustedException e)
        {
            return PlanningLog.Finish(_logger, run, new ChainOfThoughtResult
            {
                Planner = PlannerNames.ChainOfThought,
                Outcome = PlanningOutcome.BudgetExceeded,
                BudgetExceeded = e.Exceeded,
                Reason = e.Exceeded.ToString(),
                Reasoning = reasoning,
            });
        }
    }
}
