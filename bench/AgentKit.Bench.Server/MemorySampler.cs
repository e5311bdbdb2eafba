using System.Diagnostics;

namespace AgentKit.Bench.Server;

/// <summary>One memory sample of this process (server and load generator together).</summary>
/// <param name="At">Time since the sampler started.</param>
/// <param name="Measured">Whether the sample was taken in the measured phase (after warm-up).</param>
/// <param name="HeapMb">The GC heap after a full blocking, compacting collection (<see cref="GCMemoryInfo.HeapSizeBytes"/>).</param>
/// <param name="LargeMb">Of the heap, the large object heap (big buffers and arrays).</param>
/// <param name="PinnedMb">Of the heap, the pinned object heap (Kestrel's and sockets' I/O buffer pools).</param>
/// <param name="RssMb">Resident set size (<c>VmRSS</c> of <c>/proc/self/status</c>); NaN where there is none.</param>
internal sealed record MemorySample(TimeSpan At, bool Measured, double HeapMb, double LargeMb, double PinnedMb, double RssMb);

/// <summary>
/// Samples the process's memory every interval until stopped: a forced gen-2 collection first, so the heap size is
/// what is still reachable (the leak signal), not what the collector has not got round to yet. The collection
/// pauses the server for a moment; its cost shows in that window's tail latency, the same in every window.
/// </summary>
internal sealed class MemorySampler(TimeSpan interval)
{
    private readonly List<MemorySample> _samples = new(capacity: 4096);
    private readonly long _start = Stopwatch.GetTimestamp();
    private volatile bool _measured;

    public IReadOnlyList<MemorySample> Samples => _samples;

    /// <summary>Samples from now on belong to the measured phase.</summary>
    public void BeginMeasured() => _measured = true;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        Take();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Take();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped at the end of the run.
        }
    }

    /// <summary>Takes one more sample now (the run's last).</summary>
    public void Take()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        const int LargeObjectHeap = 3, PinnedObjectHeap = 4;
        lock (_samples)
        {
            _samples.Add(new MemorySample(
                Stopwatch.GetElapsedTime(_start),
                _measured,
                info.HeapSizeBytes / 1048576.0,
                info.GenerationInfo[LargeObjectHeap].SizeAfterBytes / 1048576.0,
                info.GenerationInfo[PinnedObjectHeap].SizeAfterBytes / 1048576.0,
                ProcStatusMb("VmRSS:")));
        }
    }

    /// <summary>A size field of <c>/proc/self/status</c> (<c>VmRSS:</c>, <c>VmHWM:</c> for the peak) in MB; NaN off Linux.</summary>
    public static double ProcStatusMb(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return double.NaN;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kilobytes = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}

/// <summary>A least-squares line through memory samples, in MB per minute, and the first-to-last window change.</summary>
/// <param name="HeapMbPerMinute">The GC heap's slope.</param>
/// <param name="HeapStandardError">The slope's standard error: the noise of in-flight requests at each sample, over the run's length.</param>
/// <param name="RssMbPerMinute">The RSS slope; NaN where there is no RSS.</param>
/// <param name="FirstWindowHeapMb">The mean heap of the samples in the first window after warm-up.</param>
/// <param name="LastWindowHeapMb">The mean heap of the samples in the last window.</param>
/// <param name="Samples">The samples fitted.</param>
internal sealed record MemoryTrend(double HeapMbPerMinute, double HeapStandardError, double RssMbPerMinute, double FirstWindowHeapMb, double LastWindowHeapMb, int Samples)
{
    /// <summary>The last window's mean heap relative to the first's: 0.05 is 5 % more.</summary>
    public double HeapChange => (LastWindowHeapMb - FirstWindowHeapMb) / FirstWindowHeapMb;

    /// <summary>The trend of the measured samples; <paramref name="window"/> sets what "first" and "last window" are.</summary>
    public static MemoryTrend Fit(IReadOnlyList<MemorySample> samples, TimeSpan window)
    {
        var measured = samples.Where(s => s.Measured).ToList();
        if (measured.Count < 3)
        {
            throw new InvalidOperationException($"A memory trend needs at least 3 samples after warm-up; there were {measured.Count}. Lengthen --duration or shorten --sample.");
        }

        var start = measured[0].At;
        var end = measured[^1].At;
        var (heapSlope, heapError) = Fit(measured, s => s.HeapMb);
        return new MemoryTrend(
            heapSlope,
            heapError,
            measured.Any(s => double.IsNaN(s.RssMb)) ? double.NaN : Fit(measured, s => s.RssMb).Slope,
            measured.Where(s => s.At - start < window).Average(s => s.HeapMb),
            measured.Where(s => end - s.At < window).Average(s => s.HeapMb),
            measured.Count);
    }

    private static (double Slope, double StandardError) Fit(List<MemorySample> samples, Func<MemorySample, double> value)
    {
        var meanX = samples.Average(s => s.At.TotalMinutes);
        var meanY = samples.Average(value);
        var sxx = samples.Sum(s => Math.Pow(s.At.TotalMinutes - meanX, 2));
        var slope = samples.Sum(s => (s.At.TotalMinutes - meanX) * (value(s) - meanY)) / sxx;
        var residuals = samples.Sum(s => Math.Pow(value(s) - (meanY + (slope * (s.At.TotalMinutes - meanX))), 2));
        return (slope, Math.Sqrt(residuals / (samples.Count - 2) / sxx));
    }
}
