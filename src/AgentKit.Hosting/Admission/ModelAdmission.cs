using System.Diagnostics;

namespace AgentKit.Hosting.Admission;

/// <summary>
/// Admission control in front of one model: at most <see cref="ModelAdmissionOptions.Capacity"/> requests run at
/// once, at most <see cref="ModelAdmissionOptions.MaxQueuedRequests"/> wait (first come, first served), each for at
/// most <see cref="ModelAdmissionOptions.QueueTimeout"/>; anything beyond gets <see cref="ModelBusyException"/>
/// at once instead of an unbounded wait. Work run through <see cref="RunAsync{T}"/> holds one slot for its whole
/// duration, and model calls it makes (an agent run's steps) do not take a second one. Thread-safe.
/// </summary>
public sealed class ModelAdmission : IDisposable
{
    private const double AverageWeight = 0.125;
    private static readonly TimeSpan MinRetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _slots;
    private readonly AsyncLocal<Lease?> _held = new();
    private readonly Lock _lock = new();
    private int _waiting;
    private double _averageHoldSeconds;
    private long _admitted;
    private long _refused;

    /// <summary>Creates the admission control.</summary>
    /// <param name="modelId">The model's name, for error messages.</param>
    /// <param name="options">The limits; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public ModelAdmission(string modelId, ModelAdmissionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        Options = options ?? new ModelAdmissionOptions();
        Options.Validate();
        ModelId = modelId;
        _slots = new SemaphoreSlim(Options.Capacity, Options.Capacity);
    }

    /// <summary>The model's name.</summary>
    public string ModelId { get; }

    /// <summary>The limits.</summary>
    public ModelAdmissionOptions Options { get; }

    /// <summary>Slots in use now.</summary>
    public int InUse => Options.Capacity - _slots.CurrentCount;

    /// <summary>Requests waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Requests admitted so far.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Requests refused so far with <see cref="ModelBusyException"/>.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Takes a slot, waiting in the bounded queue when none is free. Inside <see cref="RunAsync{T}"/> of this
    /// admission the slot is already held, and the lease returned takes none.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The lease; dispose it to free the slot.</returns>
    /// <exception cref="ModelBusyException">The queue is full, or no slot came free within the queue timeout.</exception>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken = default) =>
        await AcquireAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs <paramref name="work"/> holding one slot throughout; model calls inside it take no further slot.</summary>
    /// <typeparam name="T">The work's result.</typeparam>
    /// <param name="work">The work, given <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Stops the wait for a slot, and is passed to the work.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="ModelBusyException">The queue is full, or no slot came free within the queue timeout.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var lease = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (lease.Nested)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        // Set in this frame, so it flows into the work (and tasks it starts) and is gone when this method returns;
        // a task that outlives the work sees a released lease and takes its own slot.
        _held.Value = lease;
        return await work(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        if (_held.Value is { Released: false })
        {
            return Lease.NestedLease;
        }

        if (!_slots.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _waiting) > Options.MaxQueuedRequests)
            {
                Interlocked.Decrement(ref _waiting);
                throw Busy($"all {Options.Capacity} slots are in use and {Options.MaxQueuedRequests} requests are already waiting (MaxQueuedRequests)");
            }

            try
            {
                if (!await _slots.WaitAsync(Options.QueueTimeout, cancellationToken).ConfigureAwait(false))
                {
                    throw Busy($"no slot of {Options.Capacity} came free within the queue timeout of {Options.QueueTimeout.TotalSeconds:0.###} s (QueueTimeout)");
                }
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Interlocked.Increment(ref _admitted);
        return new Lease(this, Stopwatch.GetTimestamp());
    }

    private ModelBusyException Busy(string reason)
    {
        Interlocked.Increment(ref _refused);
        var retryAfter = RetryAfter();
        return new ModelBusyException(ModelId, retryAfter, $"Model '{ModelId}' is busy: {reason}; retry after {retryAfter.TotalSeconds:0} s.");
    }

    /// <summary>The time for the queue ahead to drain at the recent mean slot time, in whole seconds from 1 to 60.</summary>
    private TimeSpan RetryAfter()
    {
        double average;
        lock (_lock)
        {
            average = _averageHoldSeconds;
        }

        var seconds = Math.Ceiling(average * (Waiting + 1) / Options.Capacity);
        return TimeSpan.FromSeconds(Math.Clamp(seconds, MinRetryAfter.TotalSeconds, MaxRetryAfter.TotalSeconds));
    }

    private void Release(long acquiredAt)
    {
        var held = Stopwatch.GetElapsedTime(acquiredAt).TotalSeconds;
        lock (_lock)
        {
            _averageHoldSeconds = _averageHoldSeconds == 0 ? held : _averageHoldSeconds + ((held - _averageHoldSeconds) * AverageWeight);
        }

        _slots.Release();
    }

    /// <summary>Frees the semaphore. Call when no request uses the admission any more.</summary>
    public void Dispose() => _slots.Dispose();

    private sealed class Lease : IDisposable
    {
        public static readonly Lease NestedLease = new(null, 0);

        private readonly ModelAdmission? _owner;
        private readonly long _acquiredAt;
        private int _released;

        public Lease(ModelAdmission? owner, long acquiredAt)
        {
            _owner = owner;
            _acquiredAt = acquiredAt;
        }

        public bool Nested => _owner is null;

        public bool Released => Volatile.Read(ref _released) != 0;

        public void Dispose()
        {
            if (_owner is not null && Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(_acquiredAt);
            }
        }
    }
}
