using System.Text.Json;
using Game24.Puzzle;
using Microsoft.Extensions.AI;

namespace Game24.Tests;

/// <summary>
/// A Game of 24 model double: the proposer lists the true next steps (shuffled) plus injected bad steps (wrong
/// arithmetic, numbers that are not there); the valuer says sure/impossible by exact search, wrong with probability
/// <c>noise</c>; the voter picks a candidate that can still reach 24. Deterministic for a seed.
/// </summary>
internal sealed class Game24Oracle(int seed, double noise)
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public int ProposeCalls { get; private set; }

    public int ValueCalls { get; private set; }

    public ChatResponse Respond(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        lock (_lock)
        {
            var system = messages[0].Text;
            var last = messages[^1].Text.Trim();
            if (system.Contains("Evaluate if", StringComparison.Ordinal))
            {
                ValueCalls++;
                return Value(last);
            }

            if (system.Contains("vote", StringComparison.Ordinal))
            {
                return Vote(last);
            }

            ProposeCalls++;
            var numbers = Numbers(last.Replace("Input:", "", StringComparison.Ordinal));
            var steps = Game24Solver.NextSteps(numbers).Select(s => s.ToString()).OrderBy(_ => _random.Next()).ToList();
            if (system.Contains("one promising next step", StringComparison.Ordinal))
            {
                // A decent sampler: a step that can still reach 24 seven times in ten, else any true step.
                var good = steps.Where(s => Game24Step.TryParse(numbers, s, out var step) && Game24Solver.CanReach24(step!.Remaining)).ToList();
                var pool = good.Count > 0 && _random.NextDouble() < 0.7 ? good : steps;
                return Text(pool.Count == 0 ? "no step" : pool[_random.Next(pool.Count)]);
            }

            if (numbers.Count >= 2)
            {
                steps.Insert(_random.Next(steps.Count + 1), $"{numbers[0]} + {numbers[1]} = {numbers[0] + numbers[1] + 1} (left: bad)");
                steps.Insert(_random.Next(steps.Count + 1), "99 * 2 = 198 (left: 198)");
            }

            return Text(string.Join("\n", steps));
        }
    }

    private ChatResponse Value(string numbersText)
    {
        var reachable = Game24Solver.CanReach24(Numbers(numbersText));
        var roll = _random.NextDouble();
        var verdict = roll < noise ? (reachable ? "impossible" : "sure") : roll < 2 * noise ? "likely" : reachable ? "sure" : "impossible";
        return Text(JsonSerializer.Serialize(new { evaluation = "checked", verdict }));
    }

    private static ChatResponse Vote(string prompt)
    {
        var best = 1;
        var lines = prompt.Split('\n').Where(l => l.StartsWith("Candidate ", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var left = lines[i][(lines[i].LastIndexOf("left:", StringComparison.Ordinal) + 5)..].TrimEnd(')', ' ');
            if (Game24Solver.CanReach24(Numbers(left)))
            {
                best = i + 1;
                break;
            }
        }

        return Text(JsonSerializer.Serialize(new { analysis = "compared", best }));
    }

    private static List<Rational> Numbers(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => Rational.TryParse(t, out var r) ? r : throw new FormatException(t))];

    private static ChatResponse Text(string text) => new(new ChatMessage(ChatRole.Assistant, text))
    {
        Usage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 10, TotalTokenCount = 60 },
    };

    /// <summary>
    /// What an exhaustive model-driven search would cost: one propose call for every distinct non-final state and
    /// <paramref name="valueSamples"/> value calls for every distinct non-root state.
    /// </summary>
    public static int ExhaustiveCalls(IReadOnlyList<int> puzzle, int valueSamples)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var calls = 0;
        Visit([.. puzzle.Select(n => (Rational)n).Order()], root: true);
        return calls;

        void Visit(List<Rational> numbers, bool root)
        {
            if (!seen.Add(string.Join(' ', numbers)))
            {
                return;
            }

            calls += root ? 0 : valueSamples;
            if (numbers.Count == 1)
            {
                return;
            }

            calls++;
            foreach (var step in Game24Solver.NextSteps(numbers))
            {
                Visit([.. step.Remaining], root: false);
            }
        }
    }
}
