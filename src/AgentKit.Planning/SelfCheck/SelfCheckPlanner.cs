using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Planning;

/// <summary>
/// Self-check (Reflexion-style, Shinn et al. 2023): the model answers (chain-of-thought), the answer is verified —
/// by the model with <c>planning/verify</c> or by an <see cref="AnswerVerifier"/> in code — and a rejected answer is
/// revised with the verifier's feedback (<c>planning/revise</c>) and verified again, until one is accepted or
/// <see cref="ReviewOptions.MaxRevisions"/> are spent. Checking is often easier than solving. Cost: 1 call to answer,
/// then per round 1 verification call (none with a programmatic verifier) and 1 revision call.
/// </summary>
public sealed class SelfCheckPlanner
{
    private readonly IPromptRegistry _prompts;
    private readonly ILogger _logger;

    /// <summary>Creates the planner.</summary>
    /// <param name="prompts">Where the prompt files come from.</param>
    /// <param name="logger">Optional logger.</param>
    public SelfCheckPlanner(IPromptRegistry prompts, ILogger<SelfCheckPlanner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Answers <paramref name="question"/>, verifying and revising.</summary>
    /// <param name="client">The model.</param>
    /// <param name="question">The question or task.</param>
    /// <param name="options">Options; default <see cref="SelfCheckOptions"/>.</param>
    /// <param name="cancellationToken">Stops the run (raises <see cref="OperationCanceledException"/>).</param>
    /// <returns>The last answer, whether it was verified, every round; a budget stop is an outcome, not an exception.</returns>
    public async Task<ReviewedResult> RunAsync(IChatClient client, string question, SelfCheckOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        options ??= new SelfCheckOptions();
        options.Validate();
        using var run = new PlanningRun(PlannerNames.SelfCheck, client, _prompts, options.Budget, cancellationToken);
        var result = await ReviewLoop.RunAsync(run, PlannerNames.SelfCheck, question, options, async (answer, reasoning, round) =>
        {
            if (options.Verifier is { } verifier)
            {
                var verdict = await verifier(question, answer, run.Token).ConfigureAwait(false);
                return verdict ?? throw new InvalidOperationException($"SelfCheckOptions.Verifier returned null for the answer '{answer}'; return an AnswerReview.");
            }

            return await ModelReviewer.ReviewAsync(run, options.VerifyPrompt, question, answer, reasoning, round, client: null).ConfigureAwait(false);
        }, _logger).ConfigureAwait(false);
        return PlanningLog.Finish(_logger, run, result);
    }
}
