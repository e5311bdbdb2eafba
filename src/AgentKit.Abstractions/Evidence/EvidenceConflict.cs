using System.Globalization;
using System.Text;

namespace AgentKit.Abstractions.Evidence;

/// <summary>
/// Two pieces of evidence that state different values (or opposite polarity) for what reads as the same thing.
/// </summary>
/// <param name="First">One side.</param>
/// <param name="FirstStatement">The sentence of <paramref name="First"/> that disagrees.</param>
/// <param name="Second">The other side.</param>
/// <param name="SecondStatement">The sentence of <paramref name="Second"/> that disagrees.</param>
/// <param name="Preferred">
/// The side the documented rule prefers: the one with the later <see cref="Evidence.Time"/> when both are dated and
/// the dates differ; <see langword="null"/> when the rule cannot decide (then both are presented as unresolved).
/// </param>
public sealed record EvidenceConflict(Evidence First, string FirstStatement, Evidence Second, string SecondStatement, Evidence? Preferred)
{
    /// <summary>
    /// The conflict in one paragraph for a model or a user: both sides with their provenance and the rule's choice,
    /// e.g. <c>[2] (policy-2023.md, 2023-01-10) says "…14 days…"; [1] (policy-2025.md, 2025-03-01) says "…30 days…". The newer, [1], is preferred.</c>
    /// </summary>
    /// <param name="label">How an evidence id is written (default <c>[id]</c>).</param>
    public string Describe(Func<Evidence, string>? label = null)
    {
        label ??= static e => $"[{e.Id}]";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{label(First)} ({First.Provenance}) says \"{FirstStatement}\"; ");
        text.Append(CultureInfo.InvariantCulture, $"{label(Second)} ({Second.Provenance}) says \"{SecondStatement}\". ");
        text.Append(Preferred is { } preferred
            ? $"The newer, {label(preferred)}, is preferred."
            : "Neither is known to be newer: the disagreement is unresolved.");
        return text.ToString();
    }
}
