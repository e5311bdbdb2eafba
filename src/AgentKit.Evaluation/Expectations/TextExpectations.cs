using System.Text.RegularExpressions;
using AgentKit.Evaluation.Running;

namespace AgentKit.Evaluation.Expectations;

/// <summary><c>exact</c>: the reply equals the value (trimmed; optionally ignoring case).</summary>
/// <param name="value">The expected reply.</param>
/// <param name="ignoreCase">Whether case is ignored.</param>
public sealed class ExactExpectation(string value, bool ignoreCase) : Expectation
{
    /// <inheritdoc/>
    public override string Kind => "exact";

    /// <inheritdoc/>
    public override ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var actual = observation.Text.Trim();
        return ValueTask.FromResult(string.Equals(actual, value.Trim(), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
            ? Pass()
            : Fail($"the reply was \"{Clip(actual)}\"."));
    }

    /// <inheritdoc/>
    public override string ToString() => $"exact \"{Clip(value)}\"";

    internal static string Clip(string s) => s.Length <= 120 ? s : s[..117] + "...";
}

/// <summary><c>regex</c>: the reply matches the pattern (.NET syntax, matched with a 1-second timeout).</summary>
public sealed class RegexExpectation : Expectation
{
    private readonly Regex _regex;

    /// <summary>Creates the expectation.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="ignoreCase">Whether case is ignored.</param>
    /// <exception cref="ArgumentException">The pattern does not parse.</exception>
    public RegexExpectation(string pattern, bool ignoreCase)
    {
        _regex = new Regex(pattern, (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <inheritdoc/>
    public override string Kind => "regex";

    /// <inheritdoc/>
    public override ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        try
        {
            return ValueTask.FromResult(_regex.IsMatch(observation.Text) ? Pass() : Fail($"no match in \"{ExactExpectation.Clip(observation.Text)}\"."));
        }
        catch (RegexMatchTimeoutException)
        {
            return ValueTask.FromResult(Fail("the pattern took longer than 1 s on the reply."));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"regex /{_regex}/";
}

/// <summary><c>contains</c> / <c>not_contains</c>: the reply contains (or does not contain) each value.</summary>
/// <param name="values">The values.</param>
/// <param name="negate">True for <c>not_contains</c>.</param>
/// <param name="ignoreCase">Whether case is ignored (default for both: true).</param>
public sealed class ContainsExpectation(IReadOnlyList<string> values, bool negate, bool ignoreCase) : Expectation
{
    /// <inheritdoc/>
    public override string Kind => negate ? "not_contains" : "contains";

    /// <inheritdoc/>
    public override ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var wrong = values.Where(v => observation.Text.Contains(v, comparison) == negate).ToList();
        return ValueTask.FromResult(wrong.Count == 0
            ? Pass()
            : Fail(negate ? $"the reply contains \"{string.Join("\", \"", wrong)}\"." : $"\"{string.Join("\", \"", wrong)}\" not in \"{ExactExpectation.Clip(observation.Text)}\"."));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} \"{string.Join("\", \"", values)}\"";
}
