namespace AgentKit.Evaluation.Reports;

/// <summary>The Wilson score interval of a success rate: unlike the normal approximation it stays inside 0–1 and is honest for few runs and rates near 0 or 1.</summary>
public static class WilsonInterval
{
    /// <summary>The 95% interval (z = 1.96).</summary>
    /// <param name="successes">Runs that passed.</param>
    /// <param name="runs">Runs.</param>
    /// <param name="z">The normal quantile; 1.96 for 95%.</param>
    /// <returns>The lower and upper bounds; (0, 1) for no runs.</returns>
    public static (double Low, double High) Compute(int successes, int runs, double z = 1.96)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, runs);
        if (runs == 0)
        {
            return (0, 1);
        }

        var p = (double)successes / runs;
        var z2 = z * z;
        var denominator = 1 + z2 / runs;
        var centre = (p + z2 / (2 * runs)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / runs + z2 / (4.0 * runs * runs)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
