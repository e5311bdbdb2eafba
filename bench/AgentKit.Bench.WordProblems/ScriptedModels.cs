using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.WordProblems;

/// <summary>
/// The known noise of the scripted agents. They are oracle-backed stand-ins for a model: they know each problem's
/// answer and err on purpose at these rates, so what the planners add over a single answer is measured exactly.
/// </summary>
/// <param name="SolveRight">A first solution is right with this probability, else one of the problem's wrong answers, uniformly.</param>
/// <param name="ReviseRight">A revision after feedback is right with this probability.</param>
/// <param name="AcceptRight">A verifier or critic accepts a right answer with this probability.</param>
/// <param name="RejectWrong">A verifier or critic rejects a wrong answer with this probability.</param>
/// <param name="Recognize">In a debate round, an agent shown the right answer among the others' adopts it with this probability.</param>
/// <param name="KeepOwn">Otherwise it keeps its own answer with this probability, else solves again.</param>
internal sealed record NoiseProfile(double SolveRight, double ReviseRight, double AcceptRight, double RejectWrong, double Recognize, double KeepOwn);

/// <summary>Scripted LLM stand-ins over <see cref="ScriptedChatClient"/>: noisy agents, and an oracle program writer for PAL.</summary>
internal static partial class ScriptedModels
{
    /// <summary>A noisy agent (answers, verifies, critiques, revises, debates) at the rates of <paramref name="noise"/>. Usage: about 4 characters per token.</summary>
    public static ScriptedChatClient NoisyAgent(IReadOnlyDictionary<int, WordProblem> problems, NoiseProfile noise, ulong salt)
    {
        var counters = new ConcurrentDictionary<int, int>();
        return new ScriptedChatClient((messages, options) =>
        {
            var system = messages[0].Text;
            var user = messages[^1].Text;
            var problem = problems[int.Parse(ProblemId().Match(user).Groups["id"].Value, CultureInfo.InvariantCulture)];

            // Seeded calls (self-consistency, debate) draw from their seed, so concurrency cannot reorder the draws;
            // unseeded calls are sequential per problem and draw from a per-problem counter.
            var stream = options?.Seed is { } seed ? (ulong)seed : (ulong)counters.AddOrUpdate(problem.Id, 1, (_, n) => n + 1) << 32;
            var state = Mix(salt ^ ((ulong)problem.Id << 40) ^ stream ^ Fnv(user));
            double Draw() => Uniform(ref state);
            long Solve(double right) => Draw() < right ? problem.Answer : problem.Wrong[(int)(Draw() * problem.Wrong.Count)];

            string reply;
            if (system.StartsWith("You check solutions", StringComparison.Ordinal) || system.StartsWith("You are a demanding critic", StringComparison.Ordinal))
            {
                var proposed = Number(ReviewedAnswer().Match(user).Groups["n"].Value);
                var accept = proposed == problem.Answer ? Draw() < noise.AcceptRight : Draw() >= noise.RejectWrong;
                reply = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["accept"] = accept,
                    ["feedback"] = accept ? "The steps check out." : "The total is wrong: recompute each quantity and the operation that combines them.",
                });
            }
            else if (system.StartsWith("You solve problems carefully and correct", StringComparison.Ordinal))
            {
                reply = Solution(Solve(noise.ReviseRight));
            }
            else if (system.StartsWith("You are one of several agents", StringComparison.Ordinal))
            {
                var own = Number(StatedAnswer().Match(user[user.IndexOf("Your previous solution:", StringComparison.Ordinal)..]).Groups["n"].Value);
                var shown = ShownAnswer().Matches(user).Select(m => Number(m.Groups["n"].Value)).Append(own).ToList();
                reply = Solution(shown.Contains(problem.Answer) && Draw() < noise.Recognize ? problem.Answer : Draw() < noise.KeepOwn && own is not null ? own.Value : Solve(noise.SolveRight));
            }
            else
            {
                reply = Solution(Solve(noise.SolveRight));
            }

            return Response(messages, reply);
        })
        { RecordCalls = false };
    }

    /// <summary>
    /// The oracle program writer for PAL: it writes the problem's correct program, except that a first attempt has
    /// <paramref name="firstTryBug"/> probability of a misspelt variable (a ReferenceError); shown the error, it writes the correct one.
    /// </summary>
    public static ScriptedChatClient OracleProgramWriter(IReadOnlyDictionary<int, WordProblem> problems, double firstTryBug, ulong salt) =>
        new((messages, _) =>
        {
            var user = messages[^1].Text;
            var problem = problems[int.Parse(ProblemId().Match(user).Groups["id"].Value, CultureInfo.InvariantCulture)];
            var state = Mix(salt ^ (ulong)problem.Id);
            var buggy = !user.Contains("This program failed", StringComparison.Ordinal) && Uniform(ref state) < firstTryBug;
            var program = buggy ? problem.Program.Replace("console.log(", "console.log(totl + ", StringComparison.Ordinal) : problem.Program;
            return Response(messages, $"```javascript\n{program}\n```");
        })
        { RecordCalls = false };

    private static string Solution(long answer) => string.Create(CultureInfo.InvariantCulture, $"I work through the quantities one step at a time and combine them. The answer is {answer}.");

    private static ChatResponse Response(IReadOnlyList<ChatMessage> messages, string reply)
    {
        var input = messages.Sum(m => m.Text.Length) / 4;
        var output = Math.Max(1, reply.Length / 4);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
        {
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
    }

    private static long? Number(string text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }

        return hash;
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    private static double Uniform(ref ulong state)
    {
        state = Mix(state);
        return (state >> 11) * (1.0 / (1UL << 53));
    }

    [GeneratedRegex(@"Problem #(?<id>\d+)")]
    private static partial Regex ProblemId();

    [GeneratedRegex(@"(?:Proposed answer|Answer under review): (?<n>-?\d+)")]
    private static partial Regex ReviewedAnswer();

    [GeneratedRegex(@"The answer is (?<n>-?\d+)")]
    private static partial Regex StatedAnswer();

    [GeneratedRegex(@"\(answer: (?<n>-?\d+)\)")]
    private static partial Regex ShownAnswer();
}
