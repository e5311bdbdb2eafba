using System.Runtime.CompilerServices;
using AgentKit.Cost.Diagnostics;
using AgentKit.Cost.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Cost.Cascade;

/// <summary>
/// FrugalGPT's LLM cascade: asks the cheapest model first, lets a scorer judge its answer, and goes on to the next
/// (stronger, dearer) model only when the score is below the step's threshold; the last model's answer is always
/// taken. As an <see cref="IChatClient"/> it puts its <see cref="CascadeResult"/> in the response's
/// <see cref="CascadeResult.ResponsePropertyKey"/> property; a streaming request streams the accepted answer once
/// it is chosen (an answer cannot be streamed before it has been judged).
/// </summary>
public sealed class ModelCascade : IChatClient
{
    private readonly IReadOnlyList<CascadeStep> _steps;
    private readonly ILogger _logger;

    /// <summary>Creates a cascade.</summary>
    /// <param name="steps">The models, cheapest first.</param>
    /// <param name="logger">Logs each step's score at Debug level.</param>
    /// <exception cref="ArgumentException">No steps, two steps with one name, or a step before the last without a scorer.</exception>
    public ModelCascade(IEnumerable<CascadeStep> steps, ILogger<ModelCascade>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        _steps = [.. steps];
        if (_steps.Count == 0)
        {
            throw new ArgumentException("A cascade needs at least one model.", nameof(steps));
        }

        if (_steps.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"The cascade has two steps named '{duplicate.Key}'; names identify which model answered.", nameof(steps));
        }

        if (_steps.Take(_steps.Count - 1).FirstOrDefault(s => s.Scorer is null) is { } unscored)
        {
            throw new ArgumentException($"The cascade step '{unscored.Name}' has no scorer; every step but the last needs one to decide whether to go on.", nameof(steps));
        }

        _logger = logger ?? NullLogger<ModelCascade>.Instance;
    }

    /// <summary>The steps, cheapest first.</summary>
    public IReadOnlyList<CascadeStep> Steps => _steps;

    /// <summary>Answers the request, going up the cascade until a step's answer scores at or above its threshold.</summary>
    /// <param name="messages">The request.</param>
    /// <param name="options">Its options, passed to every model.</param>
    /// <param name="cancellationToken">Cancels the cascade.</param>
    /// <returns>The answer, the model that gave it, every step's score and the cost.</returns>
    public async Task<CascadeResult> AnswerAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var attempts = new List<CascadeAttempt>(_steps.Count);
        for (var i = 0; i < _steps.Count; i++)
        {
            var step = _steps[i];
            var last = i == _steps.Count - 1;
            var stepOptions = last ? options?.Clone() : step.Scorer!.PrepareRequest(options?.Clone());
            var response = await step.Model.GetResponseAsync(request, stepOptions, cancellationToken).ConfigureAwait(false);
            var usage = UsageMeter.Copy(response.Usage);
            double? score = null;
            decimal scoringCost = 0;
            if (!last)
            {
                var verdict = await step.Scorer!.ScoreAsync(new CascadeScoringRequest(request, options, response, step.Model), cancellationToken).ConfigureAwait(false);
                score = verdict.Value;
                if (verdict.Usage is { } scoring)
                {
                    usage.Add(scoring);
                }

                scoringCost = verdict.Cost ?? 0;
            }

            var accepted = last || score >= step.Threshold;
            attempts.Add(new CascadeAttempt(step.Name, score, accepted, usage, step.Price.CostOf(usage) + scoringCost));
            CostTelemetry.CascadeSteps.Add(1, new KeyValuePair<string, object?>(CostTelemetry.ModelTag, step.Name), new KeyValuePair<string, object?>("agentkit.cascade.accepted", accepted));
            CostLog.CascadeStep(_logger, step.Name, score ?? 1, last ? 0 : step.Threshold, accepted);
            if (accepted)
            {
                var result = new CascadeResult(response, step.Name, attempts);
                (response.AdditionalProperties ??= [])[CascadeResult.ResponsePropertyKey] = result;
                return result;
            }
        }

        throw new InvalidOperationException("Unreachable: the last cascade step always accepts.");
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        (await AnswerAsync(messages, options, cancellationToken).ConfigureAwait(false)).Response;

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var result = await AnswerAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in result.Response.ToChatResponseUpdates())
        {
            (update.AdditionalProperties ??= [])[CascadeResult.ResponsePropertyKey] = result;
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The models belong to whoever built the steps.
    }
}
