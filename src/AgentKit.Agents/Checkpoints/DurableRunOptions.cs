namespace AgentKit.Agents.Checkpoints;

/// <summary>How agent runs are checkpointed and resumed (configuration section <c>AgentKit:Runs</c> in a hosted app).</summary>
public sealed class DurableRunOptions
{
    private int _maxConcurrentResumes = 4;
    private TimeSpan _sweepInterval = TimeSpan.FromSeconds(30);
    private TimeSpan _attachPollInterval = TimeSpan.FromMilliseconds(500);
    private TimeSpan _attachRecheckInterval = TimeSpan.FromSeconds(10);
    private TimeSpan _attachMaxIdle = TimeSpan.FromMinutes(10);
    private int _attachBatchSize = 100;

    /// <summary>
    /// Whether runs are checkpointed when the session store is also an <see cref="IRunCheckpointStore"/> (the SQLite
    /// and PostgreSQL stores are). Defaults to <see langword="true"/>.
    /// </summary>
    public bool Checkpoints { get; set; } = true;

    /// <summary>What a host does with unfinished runs when it starts. Defaults to <see cref="RunResumeMode.Automatic"/>.</summary>
    public RunResumeMode Resume { get; set; } = RunResumeMode.Automatic;

    /// <summary>How many unfinished runs are resumed at once at start, 1 to 64. Defaults to 4.</summary>
    public int MaxConcurrentResumes
    {
        get => _maxConcurrentResumes;
        set => _maxConcurrentResumes = value is >= 1 and <= 64
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "DurableRunOptions.MaxConcurrentResumes (AgentKit:Runs:MaxConcurrentResumes) must be between 1 and 64.");
    }

    /// <summary>
    /// How often a host with a shared run lock (several replicas on PostgreSQL) looks for runs whose replica died and
    /// resumes them (<see cref="AgentRunner.ResumeOrphanedRunsAsync"/>), 1 second to 1 day; <see cref="TimeSpan.Zero"/>:
    /// only at start. Applies when <see cref="Resume"/> is <see cref="RunResumeMode.Automatic"/>. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan SweepInterval
    {
        get => _sweepInterval;
        set => _sweepInterval = value == TimeSpan.Zero || (value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromDays(1))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "DurableRunOptions.SweepInterval (AgentKit:Runs:SweepInterval) must be from 00:00:01 to 1.00:00:00, or 00:00:00 to sweep only at start.");
    }

    /// <summary>
    /// How often a client attached to a run that another process executes (<see cref="AgentRunner.AttachAsync"/>) has the
    /// run's new checkpoints read when the checkpoint store cannot signal appends across processes (SQLite; a run this
    /// process executes wakes its readers at once), 10 milliseconds to 1 minute. Defaults to 500 milliseconds.
    /// </summary>
    public TimeSpan AttachPollInterval
    {
        get => _attachPollInterval;
        set => _attachPollInterval = value >= TimeSpan.FromMilliseconds(10) && value <= TimeSpan.FromMinutes(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "DurableRunOptions.AttachPollInterval (AgentKit:Runs:AttachPollInterval) must be from 00:00:00.010 to 00:01:00.");
    }

    /// <summary>
    /// How often such a client has the run's checkpoints read anyway when the store signals appends
    /// (<see cref="IRunCheckpointStore.Signals"/>: PostgreSQL's <c>LISTEN</c>/<c>NOTIFY</c>), in case a signal was lost,
    /// 100 milliseconds to 1 hour. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan AttachRecheckInterval
    {
        get => _attachRecheckInterval;
        set => _attachRecheckInterval = value >= TimeSpan.FromMilliseconds(100) && value <= TimeSpan.FromHours(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "DurableRunOptions.AttachRecheckInterval (AgentKit:Runs:AttachRecheckInterval) must be from 00:00:00.100 to 01:00:00.");
    }

    /// <summary>
    /// How long such an attached stream waits without a new checkpoint before it ends (the client attaches again with
    /// the last id it saw), 1 second to 1 day. Defaults to 10 minutes.
    /// </summary>
    public TimeSpan AttachMaxIdle
    {
        get => _attachMaxIdle;
        set => _attachMaxIdle = value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "DurableRunOptions.AttachMaxIdle (AgentKit:Runs:AttachMaxIdle) must be from 00:00:01 to 1.00:00:00.");
    }

    /// <summary>How many checkpoints one read of such a stream loads at most, 1 to 10,000. Defaults to 100.</summary>
    public int AttachBatchSize
    {
        get => _attachBatchSize;
        set => _attachBatchSize = value is >= 1 and <= 10_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "DurableRunOptions.AttachBatchSize (AgentKit:Runs:AttachBatchSize) must be between 1 and 10000.");
    }
}

/// <summary>What a host does with runs its previous process left unfinished.</summary>
public enum RunResumeMode
{
    /// <summary>Resume every unfinished run when the host starts.</summary>
    Automatic = 0,

    /// <summary>Leave them until <see cref="AgentRunner.ResumeAsync(string, CancellationToken)"/> is called (<c>POST /api/runs/{id}/resume</c>).</summary>
    OnRequest = 1,
}
