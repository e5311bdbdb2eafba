using AgentKit.Abstractions;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>How <see cref="LogProbabilityScorer"/> reduces an answer's token log-probabilities to one number.</summary>
public enum LogProbabilityAggregate
{
    /// <summary>The mean: the score is the geometric mean of the tokens' probabilities.</summary>
    Mean,

    /// <summary>The minimum: the score is the probability of the least certain token.</summary>
    Min,
}

/// <summary>
/// Scores an answer by the model's own certainty: the mean (or minimum) log-probability of its tokens, as the model
/// reported them (<see cref="TokenLogProbabilities"/>), turned into a probability between 0 and 1. Costs no extra call:
/// the step's model is asked for the log-probabilities with the answer. Needs an engine that reports them
/// (AgentKit's llama.cpp client does).
/// </summary>
/// <param name="aggregate">Mean (default) or minimum.</param>
public sealed class LogProbabilityScorer(LogProbabilityAggregate aggregate = LogProbabilityAggregate.Mean) : ICascadeScorer
{
    /// <summary>How the tokens' log-probabilities are reduced.</summary>
    public LogProbabilityAggregate Aggregate { get; } = aggregate;

    /// <inheritdoc/>
    public ChatOptions? PrepareRequest(ChatOptions? options) => (options ?? new ChatOptions()).WithTokenLogProbabilities();

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The step's model returned no token log-probabilities.</exception>
    public Task<CascadeScore> ScoreAsync(CascadeScoringRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = TokenLogProbabilities.Get(request.Response)
            ?? throw new InvalidOperationException(
                $"The cascade step's model ({request.Model.GetService<ChatClientMetadata>()?.DefaultModelId ?? request.Model.GetType().Name}) returned no token log-probabilities (response property '{TokenLogProbabilities.PropertyKey}'); "
                + "LogProbabilityScorer needs an engine that reports them, such as AgentKit.LlamaCpp's LlamaChatClient. Use JudgeScorer or AgreementScorer for this model.");

        // An empty answer carries no evidence of being right.
        var score = values.Count == 0 ? 0 : Math.Exp(Aggregate == LogProbabilityAggregate.Mean ? values.Average() : values.Min());
        return Task.FromResult(new CascadeScore(Math.Clamp(score, 0, 1)));
    }
}
