namespace AgentKit.Planning;

/// <summary>
/// A partial solution in a Tree-of-Thoughts search: the steps taken so far and a task-defined description of where
/// they lead (for the Game of 24, the numbers left). Immutable.
/// </summary>
/// <param name="Steps">The thoughts taken, in order.</param>
/// <param name="Current">The task's description of the state after the steps.</param>
public sealed record ThoughtState(IReadOnlyList<string> Steps, string Current)
{
    /// <summary>How many steps were taken.</summary>
    public int Depth => Steps.Count;

    /// <summary>A child state: one more step.</summary>
    /// <param name="step">The step's text.</param>
    /// <param name="current">The state after it.</param>
    /// <returns>The new state.</returns>
    public ThoughtState Extend(string step, string current) => new([.. Steps, step], current);
}

/// <summary>The prompt files a task's search uses; each must accept the inputs the task supplies for it.</summary>
public sealed record ThoughtPrompts
{
    /// <summary>The <c>propose</c> generator: lists several next steps in one answer. Default: <c>planning/tot-propose</c>.</summary>
    public string Propose { get; init; } = "planning/tot-propose";

    /// <summary>The <c>sample</c> generator: one next step per completion. Default: <c>planning/tot-sample</c>.</summary>
    public string Sample { get; init; } = "planning/tot-sample";

    /// <summary>The <c>value</c> evaluator; its <c>outputs</c> must have a <c>verdict</c> of sure, likely or impossible. Default: <c>planning/tot-value</c>.</summary>
    public string Value { get; init; } = "planning/tot-value";

    /// <summary>The <c>vote</c> evaluator; its <c>outputs</c> must have <c>best</c>, the 1-based number of the chosen candidate. Default: <c>planning/tot-vote</c>.</summary>
    public string Vote { get; init; } = "planning/tot-vote";
}

/// <summary>
/// A problem for <see cref="TreeOfThoughtsPlanner"/>: what a state is, which inputs its prompts get, how a model's
/// proposals become states and when a state solves the problem. <see cref="QuestionThoughtTask"/> is built in;
/// <c>samples/Game24</c> has the Game of 24 as a task with an exact checker. Put state-specific text last in the prompts, so sibling calls share
/// the longest prompt prefix (the local engine decodes it once).
/// </summary>
public interface IThoughtTask
{
    /// <summary>The state the search starts from.</summary>
    ThoughtState InitialState { get; }

    /// <summary>The prompt files used for this task.</summary>
    ThoughtPrompts Prompts { get; }

    /// <summary>Inputs of the propose prompt for <paramref name="state"/>.</summary>
    /// <param name="state">The state to extend.</param>
    /// <param name="count">How many proposals are wanted.</param>
    /// <returns>The inputs.</returns>
    IReadOnlyDictionary<string, object?> ProposeInputs(ThoughtState state, int count);

    /// <summary>Inputs of the sample prompt for <paramref name="state"/>.</summary>
    /// <param name="state">The state to extend.</param>
    /// <returns>The inputs.</returns>
    IReadOnlyDictionary<string, object?> SampleInputs(ThoughtState state);

    /// <summary>Inputs of the value prompt for <paramref name="state"/>.</summary>
    /// <param name="state">The state to judge.</param>
    /// <returns>The inputs.</returns>
    IReadOnlyDictionary<string, object?> ValueInputs(ThoughtState state);

    /// <summary>Inputs of the vote prompt choosing among <paramref name="candidates"/> (numbered from 1).</summary>
    /// <param name="candidates">The states to choose from.</param>
    /// <returns>The inputs.</returns>
    IReadOnlyDictionary<string, object?> VoteInputs(IReadOnlyList<ThoughtState> candidates);

    /// <summary>Turns a generator's answer into child states of <paramref name="parent"/>; invalid proposals are dropped.</summary>
    /// <param name="parent">The state that was extended.</param>
    /// <param name="output">The model's text.</param>
    /// <returns>The valid children, in the order proposed.</returns>
    IReadOnlyList<ThoughtState> ParseProposals(ThoughtState parent, string output);

    /// <summary>Whether <paramref name="state"/> solves the problem (checked by the task, not by the model).</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether it is a solution.</returns>
    bool IsSolution(ThoughtState state);

    /// <summary>The answer a solution state gives.</summary>
    /// <param name="state">A state for which <see cref="IsSolution"/> is true.</param>
    /// <returns>The answer.</returns>
    string Answer(ThoughtState state);

    /// <summary>A key equal for states the search should treat as the same (duplicates are scored 0, values are cached by it).</summary>
    /// <param name="state">The state.</param>
    /// <returns>The key.</returns>
    string StateKey(ThoughtState state);
}
