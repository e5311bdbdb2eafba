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

/// <summary>
/// The memory trend of the measured samples, robust to the spikes of in-flight requests: a sample that lands while
/// many requests hold buffers reads a few MB high without anything being retained, so the slope is the Theil–Sen
/// estimator (the median of the slopes between every two samples) and windows are compared by their median.
/// A leak raises every sample and shows in both; a spike moves neither.
/// </summary>
/// <param name="HeapMbPerMinute">The GC heap's slope.</param>
/// <param name="RssMbPerMinute">The RSS slope; NaN where there is no RSS.</param>
/// <param name="FirstWindowHeapMb">The median heap of the samples in the first window after warm-up.</param>
/// <param name="LastWindowHeapMb">The median heap of the samples in the last window.</param>
/// <param name="Samples">The samples fitted.</param>
internal sealed record MemoryTrend(double HeapMbPerMinute, double RssMbPerMinute, double FirstWindowHeapMb, double LastWindowHeapMb, int Samples)
{
    /// <summary>The last window's median heap relative to the first's: 0.05 is 5 % more.</summary>
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
        return new MemoryTrend(
            Slope(measured, s => s.HeapMb),
            measured.Any(s => double.IsNaN(s.RssMb)) ? double.NaN : Slope(measured, s => s.RssMb),
            Median(measured.Where(s => s.At - start < window).Select(s => s.HeapMb)),
            Median(measured.Where(s => end - s.At < window).Select(s => s.HeapMb)),
            measured.Count);
    }

    /// <summary>Theil–Sen: the median of the slopes (MB per minute) between every two samples.</summary>
    private static double Slope(List<MemorySample> samples, Func<MemorySample, double> value)
    {
        var slopes = new List<double>(samples.Count * (samples.Count - 1) / 2);
        for (var i = 0; i < samples.Count; i++)
        {
            for (var j = i + 1; j < samples.Count; j++)
            {
                var minutes = (samples[j].At - samples[i].At).TotalMinutes;
                if (minutes > 0)
                {
                    slopes.Add((value(samples[j]) - value(samples[i])) / minutes);
                }
            }
        }

        return Median(slopes);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
