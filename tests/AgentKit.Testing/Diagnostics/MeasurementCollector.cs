using System.Diagnostics.Metrics;

namespace AgentKit.Testing;

/// <summary>One measurement an instrument recorded.</summary>
/// <param name="Instrument">The instrument's name.</param>
/// <param name="Value">The value, as a double.</param>
/// <param name="Tags">Its tags.</param>
public sealed record CollectedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>A tag's value, or <see langword="null"/>.</summary>
    /// <param name="name">The tag.</param>
    /// <returns>Its value.</returns>
    public object? Tag(string name) => Tags.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// An in-process <see cref="MeterListener"/> that keeps every measurement of the given meters (int, long and double
/// instruments). Process-wide like <see cref="ActivityCollector"/>: filter by a tag unique to the test.
/// </summary>
public sealed class MeasurementCollector : IDisposable
{
    private readonly List<CollectedMeasurement> _measurements = [];
    private readonly MeterListener _listener;

    /// <summary>Starts listening.</summary>
    /// <param name="meterNames">The meters.</param>
    public MeasurementCollector(params IEnumerable<string> meterNames)
    {
        var names = meterNames.ToHashSet(StringComparer.Ordinal);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (names.Contains(instrument.Meter.Name))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    /// <summary>The measurements so far.</summary>
    public IReadOnlyList<CollectedMeasurement> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }
    }

    /// <summary>The measurements of one instrument.</summary>
    /// <param name="instrument">Its name.</param>
    /// <returns>Its measurements.</returns>
    public IReadOnlyList<CollectedMeasurement> Of(string instrument) => [.. Measurements.Where(m => m.Instrument == instrument)];

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (_measurements)
        {
            _measurements.Add(new CollectedMeasurement(instrument.Name, value, copy));
        }
    }
}
