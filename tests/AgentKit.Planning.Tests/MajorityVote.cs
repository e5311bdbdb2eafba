namespace AgentKit.Planning.Tests;

/// <summary>
/// The exact probability that plurality voting over n independent paths picks the right answer, when each path is
/// right with probability p and otherwise one of k wrong answers uniformly; ties are broken uniformly at random
/// among the tied answers (what first-to-reach tie-breaking amounts to for exchangeable paths).
/// </summary>
internal static class MajorityVote
{
    public static double ProbabilityRight(int n, double p, int k)
    {
        var total = 0.0;
        for (var right = 1; right <= n; right++)
        {
            var m = n - right;
            var pRight = Binomial(n, right) * Math.Pow(p, right) * Math.Pow(1 - p, m);
            total += pRight * ExpectedShare(right, m, k);
        }

        return total;
    }

    /// <summary>E[share of the win for an answer with <paramref name="right"/> votes] when m wrong votes fall uniformly on k answers.</summary>
    private static double ExpectedShare(int right, int m, int k)
    {
        var sum = 0.0;
        Compositions(m, k, [], parts =>
        {
            var probability = Multinomial(m, parts) * Math.Pow(1.0 / k, m);
            var max = parts.Count == 0 ? 0 : parts.Max();
            if (right > max)
            {
                sum += probability;
            }
            else if (right == max)
            {
                sum += probability / (1 + parts.Count(x => x == right));
            }
        });
        return sum;
    }

    private static void Compositions(int m, int k, List<int> prefix, Action<List<int>> visit)
    {
        if (prefix.Count == k - 1)
        {
            visit([.. prefix, m]);
            return;
        }

        for (var i = 0; i <= m; i++)
        {
            prefix.Add(i);
            Compositions(m - i, k, prefix, visit);
            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    private static double Binomial(int n, int r) => Factorial(n) / (Factorial(r) * Factorial(n - r));

    private static double Multinomial(int m, List<int> parts) => parts.Aggregate(Factorial(m), (acc, x) => acc / Factorial(x));

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
}
