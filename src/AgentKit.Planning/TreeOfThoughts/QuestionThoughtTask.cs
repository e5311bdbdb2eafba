using System.Text.RegularExpressions;

namespace AgentKit.Planning;

/// <summary>
/// Tree-of-Thoughts over an open question: a state is the reasoning steps so far; the generic prompts
/// (<c>planning/tot-propose</c>, <c>tot-sample</c>, <c>tot-value</c>, <c>tot-vote</c>) propose and judge steps; a state
/// is a solution when its last step states an answer the <see cref="AnswerFormat"/> can read ("The answer is X").
/// This is what the planner factory uses when Tree-of-Thoughts is selected for a plain question.
/// </summary>
public sealed partial class QuestionThoughtTask : IThoughtTask
{
    /// <summary>Creates the task.</summary>
    /// <param name="question">The question.</param>
    /// <param name="format">The answer's format. Default: free text.</param>
    public QuestionThoughtTask(string question, AnswerFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        Question = question;
        Format = format ?? AnswerFormat.Text();
    }

    /// <summary>The question.</summary>
    public string Question { get; }

    /// <summary>The answer's format.</summary>
    public AnswerFormat Format { get; }

    /// <inheritdoc/>
    public ThoughtState InitialState => new([], "");

    /// <inheritdoc/>
    public ThoughtPrompts Prompts { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> ProposeInputs(ThoughtState state, int count)
    {
        var inputs = StepsInputs(state);
        inputs["count"] = count;
        return inputs;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> SampleInputs(ThoughtState state) => StepsInputs(state);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> ValueInputs(ThoughtState state) => StepsInputs(state);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> VoteInputs(IReadOnlyList<ThoughtState> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        // Candidates of one level share all steps but the last when they have one parent; otherwise each choice carries its own path.
        var sameParent = candidates.Select(c => string.Join("\n", c.Steps.Take(c.Depth - 1))).Distinct(StringComparer.Ordinal).Count() == 1;
        return new Dictionary<string, object?>
        {
            ["problem"] = Question,
            ["steps"] = sameParent && candidates.Count > 0 ? candidates[0].Steps.Take(candidates[0].Depth - 1).ToList() : new List<string>(),
            ["choices"] = candidates.Select(c => sameParent ? (c.Depth > 0 ? c.Steps[^1] : "") : string.Join(" ", c.Steps)).ToList(),
        };
    }

    /// <inheritdoc/>
    public IReadOnlyList<ThoughtState> ParseProposals(ThoughtState parent, string output)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(output);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => ListMarker().Replace(line, "").Trim())
            .Where(line => line.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(line => parent.Extend(line, line))];
    }

    /// <inheritdoc/>
    public bool IsSolution(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Depth > 0 && FinalStep().IsMatch(state.Steps[^1]) && Format.TryParse(state.Steps[^1]) is not null;
    }

    /// <inheritdoc/>
    public string Answer(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Format.TryParse(state.Steps[^1]) ?? throw new ArgumentException("The state's last step states no answer.", nameof(state));
    }

    /// <inheritdoc/>
    public string StateKey(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return string.Join("\n", state.Steps.Select(AnswerFormat.NormalizeText));
    }

    private Dictionary<string, object?> StepsInputs(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new Dictionary<string, object?> { ["problem"] = Question, ["steps"] = state.Steps.ToList() };
    }

    [GeneratedRegex(@"^\s*(?:[-*•]|\d+[.)]|step\s*\d+\s*:)\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"\banswer\s*(?:is|:)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FinalStep();
}
