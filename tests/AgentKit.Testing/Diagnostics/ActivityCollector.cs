using System.Diagnostics;

namespace AgentKit.Testing;

/// <summary>
/// An in-process <see cref="ActivityListener"/> that samples and keeps every stopped activity of the given sources.
/// Listeners are process-wide and tests run in parallel: filter by trace id or a tag unique to the test.
/// </summary>
public sealed class ActivityCollector : IDisposable
{
    private readonly List<Activity> _stopped = [];
    private readonly ActivityListener _listener;

    /// <summary>Starts listening.</summary>
    /// <param name="sourceNames">The sources to sample.</param>
    public ActivityCollector(params IEnumerable<string> sourceNames)
    {
        var names = sourceNames.ToHashSet(StringComparer.Ordinal);
        _listener = new ActivityListener
        {
            ShouldListenTo = s => names.Contains(s.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (_stopped)
                {
                    _stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The activities stopped so far.</summary>
    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    /// <summary>The stopped activities of one trace.</summary>
    /// <param name="traceId">The trace.</param>
    /// <returns>Its activities in the order they stopped.</returns>
    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => [.. Stopped.Where(a => a.TraceId == traceId)];

    /// <summary>The one stopped activity named <paramref name="operationName"/> that has <paramref name="tag"/> = <paramref name="value"/>.</summary>
    /// <param name="operationName">The operation name.</param>
    /// <param name="tag">A tag unique to the test.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The activity.</returns>
    /// <exception cref="InvalidOperationException">None or several match.</exception>
    public Activity Find(string operationName, string tag, object value)
    {
        var matches = Stopped.Where(a => a.OperationName == operationName && Equals(a.GetTagItem(tag), value)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"Expected one '{operationName}' activity with {tag} = {value}, found {matches.Count}; stopped: {string.Join(", ", Stopped.Select(a => a.OperationName))}.");
    }

    /// <summary>
    /// Starts a root activity of the test's own (no source): everything started under it shares its trace id, so
    /// <see cref="InTrace"/> finds this test's spans among those of tests running in parallel.
    /// </summary>
    /// <returns>The started root; dispose it to stop it.</returns>
    public static Activity StartRoot() => new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
