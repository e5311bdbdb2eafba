using System.Globalization;
using AgentKit.Evaluation.Judging;
using AgentKit.Evaluation.Running;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace AgentKit.Evaluation.Expectations;

/// <summary>
/// <c>judge</c>: an LLM-judged metric (<see cref="JudgeEvaluator"/>) scores at least <c>min</c> of 5. Groundedness
/// uses the case's <c>context</c>, or else the run's tool results. Without a judge model the expectation fails,
/// saying so, rather than passing unjudged.
/// </summary>
/// <param name="metric">The canonical metric name.</param>
/// <param name="minimum">The lowest passing score, 1–5.</param>
/// <param name="grounding">The grounding text, or <see langword="null"/>.</param>
public sealed class JudgeExpectation(string metric, double minimum, string? grounding) : Expectation
{
    /// <inheritdoc/>
    public override string Kind => "judge";

    /// <summary>The metric.</summary>
    public string Metric => metric;

    /// <inheritdoc/>
    public override async ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Judge is null || context.Prompts is null)
        {
            return Fail("no judge model is configured (--judge-model, or EvalRunOptions.Judge).");
        }

        var evaluator = new JudgeEvaluator(metric, context.Prompts);
        var source = grounding ?? string.Join("\n\n", observation.ToolResults);
        var request = observation.Messages.Where(m => m.Role == ChatRole.User).TakeLast(3).ToList();
        var result = await evaluator.EvaluateAsync(
            request, new ChatResponse(new ChatMessage(ChatRole.Assistant, observation.Text)), new ChatConfiguration(context.Judge),
            string.IsNullOrWhiteSpace(source) ? null : [new GroundingContext(source)], cancellationToken).ConfigureAwait(false);
        var score = result.Get<NumericMetric>(metric);
        if (score.Value is not { } value)
        {
            return Fail(string.Join("; ", score.Diagnostics?.Select(d => d.Message) ?? ["the judge gave no score."]));
        }

        return new ExpectationResult(ToString(), value >= minimum, score.Reason, metric.ToLowerInvariant(), (value - 1) / 4);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"judge {metric.ToLowerInvariant()} ≥ {minimum}");
}
