using System.Globalization;
using System.Text.Json.Serialization;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace AgentKit.Evaluation.Judging;

/// <summary>
/// An LLM-judged quality metric as a Microsoft.Extensions.AI.Evaluation <see cref="IEvaluator"/>: relevance,
/// coherence or groundedness, scored 1–5 by the judge model of the <see cref="ChatConfiguration"/> on the prompt file
/// <c>eval/judge-{metric}</c>. (The package with Microsoft's own quality evaluators is not on this NuGet feed; these
/// follow the same metric names, scale and interpretation, with prompts a prompt engineer can read and edit.)
/// </summary>
public sealed class JudgeEvaluator : IEvaluator
{
    /// <summary>The relevance metric: does the reply address the user's request.</summary>
    public const string Relevance = "Relevance";

    /// <summary>The coherence metric: is the reply logically ordered and readable.</summary>
    public const string Coherence = "Coherence";

    /// <summary>The groundedness metric: is every claim of the reply supported by the grounding context.</summary>
    public const string Groundedness = "Groundedness";

    private readonly PromptTemplate _prompt;

    /// <summary>Creates the evaluator for one metric.</summary>
    /// <param name="metric"><see cref="Relevance"/>, <see cref="Coherence"/> or <see cref="Groundedness"/>.</param>
    /// <param name="prompts">Where <c>eval/judge-{metric}</c> is.</param>
    /// <exception cref="ArgumentException">The metric is not one of the three.</exception>
    public JudgeEvaluator(string metric, IPromptRegistry prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Metric = Normalize(metric) ?? throw new ArgumentException($"Unknown judged metric '{metric}': use relevance, coherence or groundedness.", nameof(metric));
        _prompt = prompts.Get(PromptName(Metric));
    }

    /// <summary>The metric.</summary>
    public string Metric { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames => [Metric];

    /// <summary>The metric's canonical name, or <see langword="null"/> for an unknown one.</summary>
    /// <param name="metric">A metric name in any case.</param>
    /// <returns>The canonical name.</returns>
    public static string? Normalize(string metric) => metric?.ToUpperInvariant() switch
    {
        "RELEVANCE" => Relevance,
        "COHERENCE" => Coherence,
        "GROUNDEDNESS" => Groundedness,
        _ => null,
    };

    /// <summary>The prompt file a metric uses.</summary>
    /// <param name="metric">The canonical metric name.</param>
    /// <returns>The prompt's registry name.</returns>
    public static string PromptName(string metric) => "eval/judge-" + metric.ToLowerInvariant();

    /// <inheritdoc/>
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        var metric = new NumericMetric(Metric);
        if (chatConfiguration is null)
        {
            metric.AddDiagnostics(EvaluationDiagnostic.Error("No judge model: give a ChatConfiguration."));
            return new EvaluationResult(metric);
        }

        var grounding = additionalContext?.OfType<GroundingContext>().FirstOrDefault()?.Grounding;
        if (Metric == Groundedness && string.IsNullOrWhiteSpace(grounding))
        {
            metric.AddDiagnostics(EvaluationDiagnostic.Error("Groundedness needs a GroundingContext."));
            return new EvaluationResult(metric);
        }

        var inputs = new Dictionary<string, object?>
        {
            ["request"] = string.Join("\n", messages.Where(m => m.Role != ChatRole.System && !string.IsNullOrWhiteSpace(m.Text)).Select(m => $"{m.Role.Value}: {m.Text}")),
            ["response"] = modelResponse.Text,
        };
        if (Metric == Groundedness)
        {
            inputs["context"] = grounding;
        }

        var verdict = await chatConfiguration.ChatClient.GetStructuredAsync<JudgeVerdict>(_prompt, inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        metric.Value = Math.Clamp(verdict.Score, 1, 5);
        metric.Reason = verdict.Reasoning;
        metric.Interpretation = metric.Value >= 4
            ? new EvaluationMetricInterpretation(EvaluationRating.Good, failed: false, string.Create(CultureInfo.InvariantCulture, $"{metric.Value} of 5"))
            : new EvaluationMetricInterpretation(metric.Value >= 3 ? EvaluationRating.Average : EvaluationRating.Poor, failed: metric.Value < 3, string.Create(CultureInfo.InvariantCulture, $"{metric.Value} of 5"));
        return new EvaluationResult(metric);
    }

    internal sealed record JudgeVerdict(
        [property: JsonPropertyName("reasoning")] string Reasoning,
        [property: JsonPropertyName("score")] int Score);
}

/// <summary>What a reply must be grounded in, for <see cref="JudgeEvaluator.Groundedness"/>.</summary>
/// <param name="grounding">The source text (retrieved passages, tool results).</param>
public sealed class GroundingContext(string grounding) : EvaluationContext("Grounding", grounding)
{
    /// <summary>The source text.</summary>
    public string Grounding { get; } = grounding;
}
