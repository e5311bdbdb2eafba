namespace AgentKit.Hosting.Admission;

/// <summary>The limits of a <see cref="ModelAdmission"/>.</summary>
public sealed record ModelAdmissionOptions
{
    /// <summary>Requests served at once; for a local model, its context count. Default: 2. Range: 1–1024.</summary>
    public int Capacity { get; init; } = 2;

    /// <summary>Requests that may wait for a slot; one more is refused at once. Default: 16. Range: 0–100000.</summary>
    public int MaxQueuedRequests { get; init; } = 16;

    /// <summary>Longest a request waits for a slot before it is refused. Default: 30 seconds.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a limit is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Capacity, 1, nameof(Capacity));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Capacity, 1024, nameof(Capacity));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQueuedRequests, nameof(MaxQueuedRequests));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxQueuedRequests, 100_000, nameof(MaxQueuedRequests));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueueTimeout, TimeSpan.Zero, nameof(QueueTimeout));
    }
}
