using System.Globalization;
using AgentKit.Planning;

namespace Game24.Puzzle;

/// <summary>
/// The Game of 24 as a Tree-of-Thoughts task (Yao et al. 2023): a state is the numbers left; a step combines two
/// of them; a solution leaves exactly 24, and its answer is the expression the steps build, checked exactly
/// (<see cref="Game24Expression.Check"/>: each input number used once, the value exactly 24). Proposals whose
/// arithmetic is wrong or that use numbers not available are dropped. Prompts: <c>planning/game24-propose</c>,
/// <c>planning/game24-sample</c>, <c>planning/game24-value</c>, <c>planning/game24-vote</c>.
/// </summary>
public sealed class Game24Task : IThoughtTask
{
    private readonly List<Rational> _start;

    /// <summary>Creates the task for a puzzle.</summary>
    /// <param name="numbers">The numbers, 2 to 6 of them, each from 1 to 1000 (the classic puzzle has four from 1 to 13).</param>
    public Game24Task(IReadOnlyList<int> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (numbers.Count is < 2 or > 6 || numbers.Any(n => n is < 1 or > 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(numbers), string.Join(' ', numbers), "A Game of 24 puzzle has 2 to 6 numbers, each from 1 to 1000.");
        }

        Numbers = [.. numbers];
        _start = Game24Numbers.Sorted(numbers.Select(n => (Rational)n));
        InitialState = new ThoughtState([], Game24Numbers.Format(_start));
    }

    /// <summary>The puzzle.</summary>
    public IReadOnlyList<int> Numbers { get; }

    /// <summary>The puzzle as text: <c>4 6 8 8</c>.</summary>
    public string Puzzle => string.Join(' ', Numbers.Select(n => n.ToString(CultureInfo.InvariantCulture)));

    /// <inheritdoc/>
    public ThoughtState InitialState { get; }

    /// <inheritdoc/>
    public ThoughtPrompts Prompts { get; } = new()
    {
        Propose = "planning/game24-propose",
        Sample = "planning/game24-sample",
        Value = "planning/game24-value",
        Vote = "planning/game24-vote",
    };

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> ProposeInputs(ThoughtState state, int count) => NumbersInput(state);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> SampleInputs(ThoughtState state) => NumbersInput(state);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> ValueInputs(ThoughtState state) => NumbersInput(state);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> VoteInputs(IReadOnlyList<ThoughtState> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return new Dictionary<string, object?>
        {
            ["puzzle"] = Puzzle,
            ["choices"] = candidates.Select(c => string.Join("; ", c.Steps)).ToList(),
        };
    }

    /// <inheritdoc/>
    public IReadOnlyList<ThoughtState> ParseProposals(ThoughtState parent, string output)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(output);
        if (!Game24Numbers.TryParse(parent.Current, out var available) || available.Count < 2)
        {
            return [];
        }

        var children = new List<ThoughtState>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Game24Step.TryParse(available, line, out var step))
            {
                children.Add(parent.Extend(step!.ToString(), Game24Numbers.Format(step.Remaining)));
            }
        }

        return children;
    }

    /// <inheritdoc/>
    public bool IsSolution(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Game24Numbers.TryParse(state.Current, out var left) && left.Count == 1 && left[0] == 24
            && Game24Expression.Check(Numbers, Answer(state));
    }

    /// <inheritdoc/>
    public string Answer(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var steps = new List<Game24Step>();
        var available = _start;
        foreach (var text in state.Steps)
        {
            if (!Game24Step.TryParse(available, text, out var step))
            {
                throw new ArgumentException($"The state's step '{text}' does not follow from the numbers {Game24Numbers.Format(available)}.", nameof(state));
            }

            steps.Add(step!);
            available = [.. step!.Remaining];
        }

        return Game24Expression.FromSteps(_start, steps);
    }

    /// <summary>The numbers left, ascending: states that leave the same numbers are the same for the rest of the search.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The key.</returns>
    public string StateKey(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Current;
    }

    private static Dictionary<string, object?> NumbersInput(ThoughtState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new Dictionary<string, object?> { ["numbers"] = state.Current };
    }
}
