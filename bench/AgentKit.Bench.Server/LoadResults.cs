using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentKit.Bench.Server;

/// <summary>What one request was, for the latency breakdown.</summary>
internal enum RequestKind
{
    CreateSession,
    Message,
    StreamingMessage,
    DeleteSession,
    Baseline,
}

/// <summary>
/// Latencies of one phase by request kind, in total and per time window (by when each request started), refusals
/// (429) and errors. Everything is allocated when the phase starts, so recording allocates nothing. Thread-safe.
/// </summary>
internal sealed class LoadResults
{
    private const int KeptErrors = 20;
    private static readonly RequestKind[] Kinds = Enum.GetValues<RequestKind>();

    private readonly long _start;
    private readonly TimeSpan _window;
    private readonly LatencyHistogram[][] _windows;
    private readonly long[] _refused = new long[Kinds.Length];
    private readonly ConcurrentQueue<string> _errors = new();
    private long _errorCount;
    private long _sessions;

    /// <param name="duration">The phase's length.</param>
    /// <param name="window">The width of a window for <see cref="Window"/>; the whole phase when zero.</param>
    public LoadResults(TimeSpan duration, TimeSpan window)
    {
        _window = window > TimeSpan.Zero ? window : duration + TimeSpan.FromDays(1);

        // A request that starts in the last instant (the deadline is checked before it) counts in the last window.
        var windows = Math.Max(1, (int)Math.Ceiling(duration / _window));
        _windows = [.. Enumerable.Range(0, windows).Select(_ => Kinds.Select(_ => new LatencyHistogram()).ToArray())];
        Total = [.. Kinds.Select(_ => new LatencyHistogram())];
        _start = Stopwatch.GetTimestamp();
    }

    /// <summary>Every request of each kind, indexed by <see cref="RequestKind"/>.</summary>
    public LatencyHistogram[] Total { get; }

    public TimeSpan Elapsed { get; set; }

    public long Sessions => Interlocked.Read(ref _sessions);

    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>The first errors' messages.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>The number of windows.</summary>
    public int WindowCount => _windows.Length;

    public TimeSpan WindowWidth => _window;

    public LatencyHistogram[] Window(int index) => _windows[index];

    public long Refused(RequestKind kind) => Interlocked.Read(ref _refused[(int)kind]);

    public long RefusedTotal => _refused.Sum();

    public void Record(RequestKind kind, long startedAt, double milliseconds)
    {
        Total[(int)kind].Record(milliseconds);
        var window = (int)Math.Min(_windows.Length - 1, Math.Max(0, Stopwatch.GetElapsedTime(_start, startedAt) / _window));
        _windows[window][(int)kind].Record(milliseconds);
    }

    public void Refuse(RequestKind kind) => Interlocked.Increment(ref _refused[(int)kind]);

    public void Fail(string error)
    {
        if (Interlocked.Increment(ref _errorCount) <= KeptErrors)
        {
            _errors.Enqueue(error);
        }
    }

    public void SessionCreated() => Interlocked.Increment(ref _sessions);

    /// <summary>All AgentKit requests (every kind but the baseline) of a set of histograms, merged.</summary>
    public static LatencyHistogram AgentKit(LatencyHistogram[] byKind)
    {
        var merged = new LatencyHistogram();
        foreach (var kind in Kinds.Where(k => k != RequestKind.Baseline))
        {
            merged.Add(byKind[(int)kind]);
        }

        return merged;
    }
}
