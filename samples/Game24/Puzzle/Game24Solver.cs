namespace Game24.Puzzle;

/// <summary>Exhaustive Game of 24 search, exact: the ground truth for tests and for judging the planners.</summary>
public static class Game24Solver
{
    private static readonly Rational Target = 24;

    /// <summary>Every distinct valid next step from <paramref name="numbers"/> (each unordered pair, each operation, both orders for - and /).</summary>
    /// <param name="numbers">The numbers available.</param>
    /// <returns>The steps, without repeats.</returns>
    public static IReadOnlyList<Game24Step> NextSteps(IReadOnlyList<Rational> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var steps = new List<Game24Step>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < numbers.Count; i++)
        {
            for (var j = 0; j < numbers.Count; j++)
            {
                if (i == j)
                {
                    continue;
                }

                foreach (var op in "+-*/")
                {
                    // + and * are symmetric: one order is enough.
                    if (op is '+' or '*' && j < i)
                    {
                        continue;
                    }

                    if (Game24Numbers.Apply(numbers[i], op, numbers[j]) is not { } result)
                    {
                        continue;
                    }

                    var rest = numbers.Where((_, k) => k != i && k != j).Append(result);
                    var step = new Game24Step(numbers[i], op, numbers[j], result, Game24Numbers.Sorted(rest));
                    if (seen.Add(step.ToString()))
                    {
                        steps.Add(step);
                    }
                }
            }
        }

        return steps;
    }

    /// <summary>Whether <paramref name="numbers"/> can still make 24.</summary>
    /// <param name="numbers">The numbers left.</param>
    /// <returns>Whether some sequence of steps ends in 24.</returns>
    public static bool CanReach24(IReadOnlyList<Rational> numbers) => SolveSteps(numbers) is not null;

    /// <summary>A sequence of steps from <paramref name="numbers"/> to 24, or <see langword="null"/>.</summary>
    /// <param name="numbers">The numbers left.</param>
    /// <returns>The steps, or <see langword="null"/> when 24 cannot be made.</returns>
    public static IReadOnlyList<Game24Step>? SolveSteps(IReadOnlyList<Rational> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (numbers.Count == 1)
        {
            return numbers[0] == Target ? [] : null;
        }

        foreach (var step in NextSteps(numbers))
        {
            if (SolveSteps(step.Remaining) is { } rest)
            {
                return [step, .. rest];
            }
        }

        return null;
    }

    /// <summary>An expression that makes 24 from <paramref name="numbers"/>, each used once, or <see langword="null"/>.</summary>
    /// <param name="numbers">The puzzle.</param>
    /// <returns>The expression, e.g. <c>(6 - 4) * (8 + 4)</c>, or <see langword="null"/>.</returns>
    public static string? Solve(IReadOnlyList<int> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var start = numbers.Select(n => (Rational)n).ToList();
        return SolveSteps(start) is { } steps ? Game24Expression.FromSteps(start, steps) : null;
    }
}
