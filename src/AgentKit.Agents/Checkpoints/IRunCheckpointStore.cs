using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Checkpoints;

/// <summary>
/// Where agent runs are checkpointed, so that a run killed at any point resumes from its last step boundary. The
/// runner writes each checkpoint before the next step begins; a store must make every write durable and atomic
/// before its task completes. The contract is storage-neutral (payloads are JSON text): <see cref="Sessions.SqliteSessionStore"/>
/// implements it in the sessions' SQLite file; another backend (PostgreSQL) implements it in the database that holds
/// its sessions, because <see cref="CompleteRunAsync"/> must append to the session history in the same transaction.
/// Schema and rules: docs/agents.md, "Durable runs".
/// </summary>
public interface IRunCheckpointStore
{
    /// <summary>Records a run as started (unfinished). Written once, before the run's first model call.</summary>
    /// <param name="run">The run; <see cref="RunInfo.State"/> is ignored (always <see cref="RunState.Running"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="Sessions.SessionNotFoundException">The run's session does not exist.</exception>
    ValueTask StartRunAsync(RunInfo run, CancellationToken cancellationToken = default);

    /// <summary>Appends a checkpoint to an unfinished run; durable when the task completes.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="checkpoint">What happened.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoint's sequence number within the run (1, 2, …).</returns>
    /// <exception cref="RunCheckpointException">No unfinished run has that id, or the payload is over <see cref="RunCheckpointData.MaxPayloadLength"/>.</exception>
    ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finishes a run in one transaction: appends <paramref name="messages"/> to its session's history, records a
    /// <see cref="RunCheckpointKind.Completed"/> checkpoint with the outcome and marks the run finished. Either all of
    /// it is stored or none, so a resumed run never appends its messages twice.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="outcome">How the run ended (<see cref="AgentRunOutcome"/> name).</param>
    /// <param name="messages">The run's messages for the session history.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="RunCheckpointException">No unfinished run has that id.</exception>
    ValueTask CompleteRunAsync(string runId, string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Gets a run.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The run, or <see langword="null"/> when there is none with that id.</returns>
    ValueTask<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Lists runs that started and never finished (their process died), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The runs.</returns>
    ValueTask<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists a session's runs, oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The runs.</returns>
    ValueTask<IReadOnlyList<RunInfo>> ListRunsAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Loads a run's checkpoints in order.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoints; empty for an unknown run.</returns>
    ValueTask<IReadOnlyList<RunCheckpoint>> LoadCheckpointsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Wakes this process's readers of a run whenever any process sharing the store appends to it or finishes it (the
    /// PostgreSQL store: <c>LISTEN</c>/<c>NOTIFY</c>); <see langword="null"/> (the default) when the store cannot tell,
    /// and readers poll every <see cref="DurableRunOptions.AttachPollInterval"/>. A signal may be lost (a dropped
    /// connection): readers still re-read every <see cref="DurableRunOptions.AttachRecheckInterval"/>.
    /// </summary>
    RunCheckpointSignals? Signals => null;

    /// <summary>
    /// Loads at most <paramref name="limit"/> of a run's checkpoints after <paramref name="afterSequence"/>, in order: what a
    /// reader following a run (its events on another replica) has not seen yet. The default reads them all and skips;
    /// stores override it with a bounded query.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="afterSequence">The last <see cref="RunCheckpoint.Sequence"/> the reader has; 0 for the first.</param>
    /// <param name="limit">The most to return, at least 1.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoints; empty for an unknown run or when none follows.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1 or <paramref name="afterSequence"/> negative.</exception>
    async ValueTask<IReadOnlyList<RunCheckpoint>> LoadCheckpointsAsync(string runId, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        var all = await LoadCheckpointsAsync(runId, cancellationToken).ConfigureAwait(false);
        return [.. all.Where(c => c.Sequence > afterSequence).Take(limit)];
    }
}
