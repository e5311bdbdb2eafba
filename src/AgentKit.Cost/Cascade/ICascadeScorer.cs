using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Cascade;

/// <summary>What a scorer judges: one cascade step's answer to the request.</summary>
/// <param name="Messages">The request.</param>
/// <param name="Options">The request's options.</param>
/// <param name="Response">The step's answer.</param>
/// <param name="Model">The step's model, for scorers that sample it again.</param>
public sealed record CascadeScoringRequest(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options, ChatResponse Response, IChatClient Model);

/// <summary>A scorer's verdict.</summary>
/// <param name="Value">How likely the answer is right, from 0 to 1.</param>
/// <param name="Usage">Tokens the scoring itself used (a judge's call, extra samples), billed at the step's price.</param>
/// <param name="Cost">The scoring's cost when it is not billed at the step's price (a judge with its own price).</param>
public sealed record CascadeScore(double Value, UsageDetails? Usage = null, decimal? Cost = null);

/// <summary>Judges a cascade step's answer; a score below the step's threshold sends the request on to the next model.</summary>
public interface ICascadeScorer
{
    /// <summary>Scores <paramref name="request"/>'s answer.</summary>
    /// <param name="request">The request and the answer.</param>
    /// <param name="cancellationToken">Cancels scoring.</param>
    /// <returns>The score.</returns>
    Task<CascadeScore> ScoreAsync(CascadeScoringRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The options the step's model is asked with, given the request's (a copy the scorer may change): a scorer that
    /// reads what only the answering call can return (token log-probabilities) asks for it here. Default: unchanged.
    /// </summary>
    /// <param name="options">A copy of the request's options, or <see langword="null"/>.</param>
    /// <returns>The options for the step's model.</returns>
    ChatOptions? PrepareRequest(ChatOptions? options) => options;
}
