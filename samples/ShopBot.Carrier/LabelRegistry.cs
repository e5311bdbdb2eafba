using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ShopBot.Carrier;

/// <summary>A label the carrier issued.</summary>
/// <param name="LabelId">The id, random and unguessable: the PDF link is the only secret a label has.</param>
/// <param name="TrackingNumber">The tracking number.</param>
/// <param name="Request">What was asked for.</param>
/// <param name="IssuedAt">When.</param>
public sealed record IssuedLabel(string LabelId, string TrackingNumber, LabelRequest Request, DateTimeOffset IssuedAt);

/// <summary>
/// The carrier's state: issued labels (by id and by idempotency key), every request received, and the behaviour
/// knobs (latency, failure rate), which can be changed while it runs.
/// </summary>
public sealed class LabelRegistry
{
    private readonly ConcurrentDictionary<string, IssuedLabel> _labels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedLabel> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedCarrierRequest> _requests = new();
    private readonly Lock _randomLock = new();
    private readonly Random _random;
    private long _failureRateBits;
    private long _latencyTicks;

    /// <summary>Creates the registry with the configured behaviour.</summary>
    /// <param name="options">Latency, failure rate and seed.</param>
    public LabelRegistry(CarrierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        FailureRate = options.FailureRate;
        Latency = options.Latency;
    }

    /// <summary>The share of label requests answered with 503 (0 to 1).</summary>
    public double FailureRate
    {
        get => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _failureRateBits));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            Interlocked.Exchange(ref _failureRateBits, BitConverter.DoubleToInt64Bits(value));
        }
    }

    /// <summary>The delay added to each label request.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>Every request received, oldest first.</summary>
    public IReadOnlyList<RecordedCarrierRequest> Requests => [.. _requests];

    /// <summary>Every label issued.</summary>
    public IReadOnlyCollection<IssuedLabel> Labels => [.. _labels.Values];

    /// <summary>A label by id, or null.</summary>
    /// <param name="labelId">The id.</param>
    /// <returns>The label.</returns>
    public IssuedLabel? Find(string labelId) => _labels.GetValueOrDefault(labelId);

    internal void Record(RecordedCarrierRequest request) => _requests.Enqueue(request);

    internal bool DrawFailure()
    {
        var rate = FailureRate;
        if (rate <= 0)
        {
            return false;
        }

        lock (_randomLock)
        {
            return _random.NextDouble() < rate;
        }
    }

    internal IssuedLabel Issue(LabelRequest request, string? idempotencyKey, DateTimeOffset now)
    {
        if (idempotencyKey is not null && _byIdempotencyKey.TryGetValue(idempotencyKey, out var existing))
        {
            return existing;
        }

        var label = new IssuedLabel(
            "lbl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            "1Z" + RandomNumberGenerator.GetString("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", 16),
            request,
            now);
        if (idempotencyKey is not null)
        {
            label = _byIdempotencyKey.GetOrAdd(idempotencyKey, label);
        }

        _labels.TryAdd(label.LabelId, label);
        return label;
    }
}
