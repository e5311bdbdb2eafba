using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Critique: an answerer and a critic (another model, or the same model with the critic's prompt) discuss until they
/// converge. The answerer answers (chain-of-thought), the critic reviews it (<c>planning/critique</c>, structured
/// <c>{accept, feedback}</c>), the answerer revises with the critique (<c>planning/revise</c>), until the critic
/// accepts or <see cref="ReviewOptions.MaxRevisions"/> or the budget (shared by both models) run out. Cost: 1 call to
/// answer, then per round 1 critic call and 1 revision call.
/// </summary>
public sealed class CritiquePlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public CritiquePlanner(IPromptRegistry prompts, ILogger<CritiquePlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/> under the critic's review.</summary>
    /// <param name="answerer">The model that answers and revises.</param>
    /// <param name="critic">The model that reviews; <see langword="null"/> for <paramref name="answerer"/> in the critic's role.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="CritiqueOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The last answer, whether the critic accepted it, every round; a budget stop is an outcome, not an exception.</returns>
    public async Task<ReviewedResult> RunAsync(IChatClient answerer, IChatClient? critic, string question, CritiqueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answerer);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new CritiqueOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.Critique, answerer, _prompts, options.Budget, cancellationToken);
        var result = await ReviewLoop.RunAsync(run, PlannerNames.Critique, question, options,
            (answer, reasoning, round) => ModelReviewer.ReviewAsync(run, options.CriticPrompt, question, answer, reasoning, round, critic),
            _logger).ConfigureAwait(false);
        return PlanningLog.Finish(_logger, run, result);
    }
}
