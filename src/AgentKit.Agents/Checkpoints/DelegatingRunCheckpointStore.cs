using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Checkpoints;

/// <summary>
/// A checkpoint store that passes every call to another, for decorators that observe or change some of them (timing,
/// acknowledgements, fault injection), as <see cref="DelegatingChatClient"/> does for chat clients.
/// </summary>
/// <param name="innerStore">The store calls are passed to.</param>
public abstract class DelegatingRunCheckpointStore(IRunCheckpointStore innerStore) : IRunCheckpointStore
{
    /// <summary>The store calls are passed to.</summary>
    protected IRunCheckpointStore InnerStore { get; } = innerStore ?? throw new ArgumentNullException(nameof(innerStore));

    /// <inheritdoc />
    public virtual ValueTask StartRunAsync(RunInfo run, CancellationToken cancellationToken = default) => InnerStore.StartRunAsync(run, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default) => InnerStore.AppendAsync(runId, checkpoint, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask CompleteRunAsync(string runId, string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        InnerStore.CompleteRunAsync(runId, outcome, messages, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => InnerStore.GetRunAsync(runId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) => InnerStore.ListUnfinishedRunsAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<RunInfo>> ListRunsAsync(string sessionId, CancellationToken cancellationToken = default) => InnerStore.ListRunsAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<RunCheckpoint>> LoadCheckpointsAsync(string runId, CancellationToken cancellationToken = default) => InnerStore.LoadCheckpointsAsync(runId, cancellationToken);

    /// <inheritdoc />
    public virtual RunCheckpointSignals? Signals => InnerStore.Signals;

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<RunCheckpoint>> LoadCheckpointsAsync(string runId, long afterSequence, int limit, CancellationToken cancellationToken = default) => InnerStore.LoadCheckpointsAsync(runId, afterSequence, limit, cancellationToken);
}
