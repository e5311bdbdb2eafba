using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

/// <summary>
/// A seeded noisy oracle for self-consistency: for "question N" the right answer is 1000 + N; each completion is
/// right with probability <c>p</c>, else one of <c>k</c> wrong answers (2000 + 10N + j) uniformly. The draw depends only
/// on the completion's seed and the question, so a path gives the same answer however the paths are batched.
/// </summary>
internal static partial class NoisyOracle
{
    public static int RightAnswer(int question) => 1000 + question;

    public static ChatResponse Answer(IReadOnlyList<ChatMessage> messages, ChatOptions? options, double p, int k)
    {
        var question = int.Parse(QuestionNumber().Match(messages[^1].Text).Groups["n"].Value, CultureInfo.InvariantCulture);
        var seed = options?.Seed ?? throw new InvalidOperationException("The oracle needs a seed per completion.");
        // System.Random's outputs for nearby seeds are correlated, so the draws come from a SplitMix64 mix instead.
        var state = unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)question << 32));
        var first = Uniform(ref state);
        var second = Uniform(ref state);
        var answer = first < p ? RightAnswer(question) : 2000 + (10 * question) + (int)(second * k);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"Let me think. Step one, step two. The answer is {answer:N0}."))
        {
            Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 12, TotalTokenCount = 32 },
        };
    }

    private static double Uniform(ref ulong state)
    {
        unchecked
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (z ^ (z >> 31)) / (double)ulong.MaxValue;
        }
    }

    [GeneratedRegex(@"question (?<n>\d+)")]
    private static partial Regex QuestionNumber();
}
