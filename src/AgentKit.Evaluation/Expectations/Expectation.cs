using AgentKit.Evaluation.Running;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Expectations;

/// <summary>The outcome of one expectation on one run.</summary>
/// <param name="Expectation">The expectation, described.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">Why not (or the judge's reasoning).</param>
/// <param name="Metric">For scored expectations, the metric's name (<c>relevance</c>).</param>
/// <param name="Score">For scored expectations, the score normalised to 0–1.</param>
public sealed record ExpectationResult(string Expectation, bool Passed, string? Detail = null, string? Metric = null, double? Score = null);

/// <summary>What expectations may use besides the run: the judge model and its prompt files.</summary>
/// <param name="Judge">The judge model for LLM-judged metrics, or <see langword="null"/> when none is configured.</param>
/// <param name="Prompts">Where the judges' prompt files (<c>eval/judge-*</c>) are, or <see langword="null"/>.</param>
public sealed record ExpectationContext(IChatClient? Judge, IPromptRegistry? Prompts);

/// <summary>Something a case's run must satisfy. Datasets name them by <c>type</c>; see docs/eval.md.</summary>
public abstract class Expectation
{
    /// <summary>The <c>type</c> the dataset uses.</summary>
    public abstract string Kind { get; }

    /// <summary>Checks the run.</summary>
    /// <param name="observation">What the run produced.</param>
    /// <param name="context">The judge model, if any.</param>
    /// <param name="cancellationToken">Cancels a judge call.</param>
    /// <returns>Whether it held, and why not.</returns>
    public abstract ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken);

    /// <summary>A short description for reports.</summary>
    /// <returns>The description.</returns>
    public abstract override string ToString();

    /// <summary>The reply with a surrounding Markdown code fence removed, as models often wrap JSON.</summary>
    /// <param name="text">The reply.</param>
    /// <returns>The text inside the fence, or the reply trimmed.</returns>
    protected static string Unfence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (!t.StartsWith("```", StringComparison.Ordinal))
        {
            return t;
        }

        var firstNewline = t.IndexOf('\n', StringComparison.Ordinal);
        var end = t.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline > 0 && end > firstNewline ? t[(firstNewline + 1)..end].Trim() : t;
    }

    /// <summary>A passed result for this expectation.</summary>
    /// <returns>The result.</returns>
    protected ExpectationResult Pass() => new(ToString(), true);

    /// <summary>A failed result for this expectation.</summary>
    /// <param name="detail">Why.</param>
    /// <returns>The result.</returns>
    protected ExpectationResult Fail(string detail) => new(ToString(), false, detail);
}
