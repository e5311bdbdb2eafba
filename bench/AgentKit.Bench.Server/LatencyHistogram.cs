namespace AgentKit.Bench.Server;

/// <summary>
/// Latencies in logarithmic buckets 1 % wide from 0.01 ms to 10 minutes, allocated once: a soak of any length
/// records into the same memory, so the recorder adds no growth to the memory trend it is used to measure.
/// A percentile is the upper edge of its bucket (at most 1 % high). Thread-safe.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double LowestMs = 0.01;
    private const double HighestMs = 600_000;
    private static readonly double LogGrowth = Math.Log(1.01);
    private static readonly int BucketCount = (int)Math.Ceiling(Math.Log(HighestMs / LowestMs) / LogGrowth) + 1;

    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _maxBits;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>The largest latency recorded, exactly; 0 when none.</summary>
    public double Max => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _maxBits));

    public void Record(double milliseconds)
    {
        var index = milliseconds <= LowestMs ? 0 : Math.Min(BucketCount - 1, (int)(Math.Log(milliseconds / LowestMs) / LogGrowth) + 1);
        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Increment(ref _count);
        RaiseMax(milliseconds);
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            if (Interlocked.Read(ref other._buckets[i]) is var n and not 0)
            {
                Interlocked.Add(ref _buckets[i], n);
            }
        }

        Interlocked.Add(ref _count, other.Count);
        RaiseMax(other.Max);
    }

    /// <summary>The latency at <paramref name="quantile"/> (0–1); NaN when nothing was recorded.</summary>
    public double Percentile(double quantile)
    {
        var count = Count;
        if (count == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                // Never above the exact maximum: the top bucket's edge may be.
                return Math.Min(LowestMs * Math.Exp(i * LogGrowth), Max);
            }
        }

        return Max;
    }

    private void RaiseMax(double milliseconds)
    {
        // Non-negative doubles order like their bit patterns, so the maximum is a compare-exchange on the bits.
        var bits = BitConverter.DoubleToInt64Bits(milliseconds);
        var seen = Interlocked.Read(ref _maxBits);
        while (bits > seen)
        {
            var previous = Interlocked.CompareExchange(ref _maxBits, bits, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
