namespace AgentKit.Agents.Checkpoints;

/// <summary>How agent runs are checkpointed and resumed (configuration section <c>AgentKit:Runs</c> in a hosted app).</summary>
public sealed class DurableRunOptions
{
    private int _maxConcurrentResumes = 4;
    private TimeSpan _sweepInterval = TimeSpan.FromSeconds(30);

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
}

/// <summary>What a host does with runs its previous process left unfinished.</summary>
public enum RunResumeMode
{
    /// <summary>Resume every unfinished run when the host starts.</summary>
    Automatic = 0,

    /// <summary>Leave them until <see cref="AgentRunner.ResumeAsync(string, CancellationToken)"/> is called (<c>POST /api/runs/{id}/resume</c>).</summary>
    OnRequest = 1,
}
