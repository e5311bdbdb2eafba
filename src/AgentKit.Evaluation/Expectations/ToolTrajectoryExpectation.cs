using System.Text.Json;
using AgentKit.Abstractions.Json;
using AgentKit.Evaluation.Running;

namespace AgentKit.Evaluation.Expectations;

/// <summary>One expected tool call.</summary>
/// <param name="Tool">The tool's name, as the model knows it.</param>
/// <param name="Arguments">Arguments the call must have (a subset: other arguments may be present), or <see langword="null"/>.</param>
/// <param name="Optional">Whether the call may be missing.</param>
public sealed record ExpectedToolCall(string Tool, JsonElement? Arguments, bool Optional);

/// <summary>
/// <c>tools</c>: the run's tool calls follow the expected steps. In order (default) each step must match a later call
/// than the previous step's; optional steps may be missing; with <c>allow_other_calls</c> false no call outside the
/// steps may happen. An argument matches when equal as JSON, objects by subset.
/// </summary>
/// <param name="steps">The expected calls.</param>
/// <param name="ordered">Whether the order matters.</param>
/// <param name="allowOtherCalls">Whether calls not among the steps are allowed.</param>
public sealed class ToolTrajectoryExpectation(IReadOnlyList<ExpectedToolCall> steps, bool ordered, bool allowOtherCalls) : Expectation
{
    /// <inheritdoc/>
    public override string Kind => "tools";

    /// <summary>The expected calls.</summary>
    public IReadOnlyList<ExpectedToolCall> Steps => steps;

    /// <inheritdoc/>
    public override ValueTask<ExpectationResult> CheckAsync(EvalObservation observation, ExpectationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var calls = observation.ToolCalls;
        var used = new bool[calls.Count];
        var cursor = 0;
        foreach (var step in steps)
        {
            var found = -1;
            for (var i = ordered ? cursor : 0; i < calls.Count; i++)
            {
                if (!used[i] && Matches(step, calls[i]))
                {
                    found = i;
                    break;
                }
            }

            if (found < 0)
            {
                if (step.Optional)
                {
                    continue;
                }

                return ValueTask.FromResult(Fail($"no call {Describe(step)}{(ordered && cursor > 0 ? " after call " + cursor : "")}; calls were: {Actual(calls)}."));
            }

            used[found] = true;
            cursor = found + 1;
        }

        if (!allowOtherCalls && used.Contains(false))
        {
            var extra = calls.Where((_, i) => !used[i]).Select(c => c.Name);
            return ValueTask.FromResult(Fail($"calls outside the expected steps: {string.Join(", ", extra)}."));
        }

        return ValueTask.FromResult(Pass());
    }

    /// <inheritdoc/>
    public override string ToString() => $"tools [{string.Join(" → ", steps.Select(s => s.Optional ? s.Tool + "?" : s.Tool))}]";

    internal static bool IsSubset(JsonElement expected, JsonElement actual)
    {
        if (expected.ValueKind == JsonValueKind.Object)
        {
            return actual.ValueKind == JsonValueKind.Object
                && expected.EnumerateObject().All(p => actual.TryGetProperty(p.Name, out var a) && IsSubset(p.Value, a));
        }

        return JsonSchemaValidator.JsonEquals(expected, actual);
    }

    private static bool Matches(ExpectedToolCall step, EvalToolCall call) =>
        string.Equals(step.Tool, call.Name, StringComparison.Ordinal) && (step.Arguments is not { } args || IsSubset(args, call.Arguments));

    private static string Describe(ExpectedToolCall step) => step.Arguments is { } a ? $"{step.Tool} {a.GetRawText()}" : step.Tool;

    private static string Actual(IReadOnlyList<EvalToolCall> calls) =>
        calls.Count == 0 ? "none" : string.Join(", ", calls.Select(c => $"{c.Name} {c.Arguments.GetRawText()}"));
}
