using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AgentKit.Hostile.Tests.Fuzzing;

/// <summary>
/// A seeded, time-boxed fuzz loop: each round makes one input from a <see cref="Random"/> seeded with
/// (seed, round), runs it under a per-input time bound and checks the target's invariant. Failures (an exception the
/// target does not document, a broken invariant, a hang) are collected with the input in base64, so they can be
/// replayed and added to corpus/, and the test fails listing them.
/// </summary>
/// <remarks>
/// <c>AGENTKIT_FUZZ_SECONDS</c> sets the seconds per target (default 3, so the four targets take about 12 s in CI);
/// <c>AGENTKIT_FUZZ_SEED</c> sets the seed (default 20261123). The same seed and round always make the same input.
/// </remarks>
internal static class Fuzzer
{
    public static readonly TimeSpan PerInput = TimeSpan.FromSeconds(10);

    public static TimeSpan Budget { get; } = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("AGENTKIT_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 3);

    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("AGENTKIT_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 20261123;

    /// <summary>Runs the loop and fails the test with every failing input.</summary>
    /// <param name="target">A name for messages.</param>
    /// <param name="generate">Makes an input from a seeded generator.</param>
    /// <param name="encode">The input as bytes, for the base64 in failure reports.</param>
    /// <param name="check">Runs the target; returns null when the invariant holds, else what broke. Documented exceptions are caught inside.</param>
    /// <param name="output">Where the summary goes.</param>
    /// <returns>The number of inputs run.</returns>
    public static async Task<int> RunAsync<T>(string target, Func<Random, T> generate, Func<T, byte[]> encode, Func<T, string?> check, ITestOutputHelper output)
    {
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        for (; clock.Elapsed < Budget && failures.Count < 10; rounds++)
        {
            var input = generate(new Random(HashCode.Combine(Seed, rounds)));
            var run = Task.Run(() =>
            {
                try
                {
                    return check(input);
                }
                catch (Exception e)
                {
                    return $"undocumented exception {e}";
                }
            });
            string? problem;
            try
            {
                problem = await run.WaitAsync(PerInput, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                failures.Add($"round {rounds}: no answer within {PerInput.TotalSeconds} s\n  input (base64): {Convert.ToBase64String(encode(input))}");
                break;
            }

            if (problem is not null)
            {
                failures.Add($"round {rounds}: {problem}\n  input (base64): {Convert.ToBase64String(encode(input))}");
            }
        }

        output.WriteLine($"{target}: {rounds} inputs in {clock.Elapsed.TotalSeconds:0.0} s (seed {Seed}), {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{target} (seed {Seed}):\n" + string.Join("\n", failures));
        return rounds;
    }

    /// <summary>UTF-8 bytes of a string input.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
