using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Diagnostics;
using AgentKit.Agents.Events;
using AgentKit.Agents.Runs;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Agents;

/// <summary>Durable runs: resume after a crash, attach to a run's events, list checkpoints and fork sessions from them.</summary>
public sealed partial class AgentRunner
{
    /// <summary>How many finished resumed runs keep their event logs (attaching to one reads its checkpoints instead).</summary>
    private const int KeptFinishedLogs = 64;

    private readonly ConcurrentDictionary<string, RunEventLog> _logs = new(StringComparer.Ordinal);

    /// <summary>Woken by the runs this process executes after each checkpoint, for its readers of them when the store signals nothing.</summary>
    internal RunCheckpointSignals LocalSignals { get; } = new();
    private readonly ConcurrentQueue<string> _finishedLogs = new();
    private readonly ConcurrentDictionary<string, byte> _unresumable = new(StringComparer.Ordinal);
    private int _sweptRunsGoingOn;
    private volatile bool _suspending;

    /// <summary>Where runs are checkpointed; <see langword="null"/> when they are not (see <see cref="DurableRunOptions.Checkpoints"/>).</summary>
    public IRunCheckpointStore? Checkpoints { get; }

    /// <summary>The checkpoint and resume settings.</summary>
    public DurableRunOptions Durability { get; }

    /// <summary>
    /// Marks the process as shutting down (hosts call it when the application stops): a checkpointed run cancelled
    /// from now on is left unfinished, to be resumed by the next process, instead of ending <see cref="AgentRunOutcome.Cancelled"/>.
    /// </summary>
    public void SuspendRuns() => _suspending = true;

    internal bool IsSuspending => _suspending;

    /// <summary>Lists runs a previous process left unfinished, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The runs.</returns>
    /// <exception cref="InvalidOperationException">Runs are not checkpointed.</exception>
    public ValueTask<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        RequireCheckpoints().ListUnfinishedRunsAsync(cancellationToken);

    /// <summary>
    /// Resumes an unfinished run from its last checkpoint: recorded model responses, tool results and approval answers
    /// are replayed, not repeated; a tool call that started without a recorded result follows its
    /// <see cref="Abstractions.Tools.ToolPolicy.Idempotency"/>. The session ends as it would have without the crash.
    /// Its events can be read with <see cref="AttachAsync"/> while it runs.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="AgentRunNotFoundException">No unfinished run has that id.</exception>
    /// <exception cref="AgentSessionBusyException">Its session is running a turn, in this process or (with a shared <see cref="ISessionRunLock"/>) in another: the run is being resumed or executed already.</exception>
    public async Task<AgentRunResult> ResumeAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var run = await RequireCheckpoints().GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new AgentRunNotFoundException($"No run '{runId}' is recorded.");
        var resuming = await StartResumeAsync(run, cancellationToken).ConfigureAwait(false);
        return await resuming.ConfigureAwait(false);
    }

    /// <summary>
    /// Starts resuming an unfinished run already read from the store (see <see cref="ResumeAsync(string, CancellationToken)"/>).
    /// When the returned task completes, the session is taken (in this process and, with a shared
    /// <see cref="ISessionRunLock"/>, across processes), the run is known to be still unfinished, and its events are
    /// attachable; the inner task is the run going on, so a host can answer with the address of its events at once.
    /// </summary>
    /// <param name="run">The run, as <see cref="IRunCheckpointStore.GetRunAsync"/> returned it.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run going on; it completes with how the run ended.</returns>
    /// <exception cref="AgentRunNotFoundException">The run has finished (here, or in another process since <paramref name="run"/> was read).</exception>
    /// <exception cref="AgentSessionBusyException">Its session is running a turn, here or in another process: the run is being resumed or executed already.</exception>
    public async Task<Task<AgentRunResult>> StartResumeAsync(RunInfo run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var store = RequireCheckpoints();
        if (run.State != RunState.Running)
        {
            throw new AgentRunNotFoundException($"Run '{run.RunId}' finished ({run.Outcome}); only unfinished runs can be resumed.");
        }

        var agent = GetAgent(run.AgentName);

        // A run another replica is executing looks unfinished too, but its turn holds the session's shared lock. Once
        // the lock is ours the run is read again: its process may have finished it after it was listed.
        var entry = await EnterRunAsync(run.SessionId, cancellationToken).ConfigureAwait(false);
        try
        {
            if (await store.GetRunAsync(run.RunId, cancellationToken).ConfigureAwait(false) is not { State: RunState.Running })
            {
                throw new AgentRunNotFoundException($"Run '{run.RunId}' was finished by another process; only unfinished runs can be resumed.");
            }
        }
        catch
        {
            await entry.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var log = new RunEventLog(run.RunId, run.SessionId);
        _logs[run.RunId] = log;
        return ResumeCoreAsync(store, agent, run, log, entry, cancellationToken);
    }

    private async Task<AgentRunResult> ResumeCoreAsync(IRunCheckpointStore store, AgentDefinition agent, RunInfo run, RunEventLog log, IAsyncDisposable entry, CancellationToken cancellationToken)
    {
        try
        {
            // The caller gets the task at once (a host answers 202 while the run goes on); SQLite reads complete synchronously.
            await Task.Yield();
            var checkpoints = await store.LoadCheckpointsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            AgentsLog.ResumingRun(LoggerFactory.CreateLogger<AgentRunner>(), run.RunId, run.SessionId, checkpoints.Count);
            var resumed = new AgentRun(this, agent, run.SessionId, run.Input, streamEvents: false, RunJournal.Resume(store, run.RunId, checkpoints, LocalSignals), log);
            await resumed.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return resumed.Result;
        }
        finally
        {
            log.Complete();
            await entry.DisposeAsync().ConfigureAwait(false);
            KeepFinished(run.RunId);
        }
    }

    /// <summary>Resumes every unfinished run, <see cref="DurableRunOptions.MaxConcurrentResumes"/> at a time.</summary>
    /// <param name="cancellationToken">Cancels the runs.</param>
    /// <returns>How each ended; a run that could not be resumed (its agent is gone, its session busy) is logged and left out.</returns>
    public async Task<IReadOnlyList<AgentRunResult>> ResumeUnfinishedRunsAsync(CancellationToken cancellationToken = default)
    {
        var runs = await ListUnfinishedRunsAsync(cancellationToken).ConfigureAwait(false);
        using var gate = new SemaphoreSlim(Durability.MaxConcurrentResumes);
        var logger = LoggerFactory.CreateLogger<AgentRunner>();
        var results = await Task.WhenAll(runs.Select(async run =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await ResumeAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AgentRunNotFoundException or AgentNotFoundException or AgentSessionBusyException)
            {
                AgentsLog.ResumeFailed(logger, e, run.RunId);
                return null;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return [.. results.OfType<AgentRunResult>()];
    }

    /// <summary>Whether <see cref="ResumeOrphanedRunsAsync"/> can run here: runs are checkpointed and a shared <see cref="ISessionRunLock"/> tells live replicas' runs from orphans.</summary>
    public bool CanResumeOrphanedRuns => Checkpoints is not null && _runLock is not null;

    /// <summary>
    /// Starts resuming the unfinished runs that no process is executing: those whose session's shared run lock is free,
    /// because the replica that ran them died (<c>kill -9</c>, a lost machine) after the others started. Runs of this
    /// process and runs another live replica holds are skipped; at most <see cref="DurableRunOptions.MaxConcurrentResumes"/>
    /// runs started by sweeps go on at once. Hosts call it every <see cref="DurableRunOptions.SweepInterval"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the sweep and the runs it starts.</param>
    /// <returns>The runs started, each going on (it completes with how the run ended; failures are logged, never thrown).</returns>
    /// <exception cref="InvalidOperationException">
    /// Runs are not checkpointed, or no shared <see cref="ISessionRunLock"/> is registered: without one, a run executing
    /// in another process on the same store cannot be told apart from an orphan (a single process resumes at start only).
    /// </exception>
    public async Task<IReadOnlyList<Task<AgentRunResult>>> ResumeOrphanedRunsAsync(CancellationToken cancellationToken = default)
    {
        var store = RequireCheckpoints();
        if (_runLock is null)
        {
            throw new InvalidOperationException("Sweeping for orphaned runs needs a shared ISessionRunLock (the PostgreSQL storage registers one): without it, runs of other processes on the same store look orphaned.");
        }

        var started = new List<Task<AgentRunResult>>();
        var logger = LoggerFactory.CreateLogger<AgentRunner>();
        foreach (var run in await store.ListUnfinishedRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_running.ContainsKey(run.SessionId) || _logs.ContainsKey(run.RunId))
            {
                continue;
            }

            if (Interlocked.Increment(ref _sweptRunsGoingOn) > Durability.MaxConcurrentResumes)
            {
                Interlocked.Decrement(ref _sweptRunsGoingOn);
                break;
            }

            try
            {
                var resuming = await StartResumeAsync(run, cancellationToken).ConfigureAwait(false);
                AgentsLog.OrphanedRunResumed(logger, run.RunId, run.SessionId);
                started.Add(ObserveAsync(resuming, run.RunId));
            }
            catch (Exception e) when (e is AgentSessionBusyException or AgentRunNotFoundException)
            {
                // Held by a live replica, or finished since it was listed: not an orphan.
                Interlocked.Decrement(ref _sweptRunsGoingOn);
            }
            catch (AgentNotFoundException e)
            {
                Interlocked.Decrement(ref _sweptRunsGoingOn);
                if (_unresumable.TryAdd(run.RunId, 0))
                {
                    AgentsLog.ResumeFailed(logger, e, run.RunId);
                }
            }
            catch
            {
                Interlocked.Decrement(ref _sweptRunsGoingOn);
                throw;
            }
        }

        return started;

        async Task<AgentRunResult> ObserveAsync(Task<AgentRunResult> resuming, string runId)
        {
            try
            {
                return await resuming.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AgentsLog.ResumeFailed(logger, e, runId);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _sweptRunsGoingOn);
            }
        }
    }

    /// <summary>
    /// A run's events from the one after <paramref name="afterSequence"/>, then live until it ends, for a streaming client
    /// that reconnects (<c>Last-Event-ID</c>) — to this process or to any other sharing the checkpoint store. A run this
    /// process resumes is read from its events as they happen; any other checkpointed run (executed by another replica,
    /// by this process for another client, or finished) is derived from its checkpoints, <see cref="DurableRunOptions.AttachBatchSize"/>
    /// at a time, with the same event ids (<see cref="AgentEvent.Sequence"/>), so nothing is repeated or skipped where the
    /// client left off. New checkpoints are read as soon as the store signals them (<see cref="IRunCheckpointStore.Signals"/>:
    /// PostgreSQL's <c>NOTIFY</c>, re-read every <see cref="DurableRunOptions.AttachRecheckInterval"/> in case one is lost)
    /// or this process wrote them; otherwise every <see cref="DurableRunOptions.AttachPollInterval"/>. Derived events
    /// carry each model step's text as one delta (the part the client has not seen), when the step's response is
    /// checkpointed, and none of the events no checkpoint records (docs/agents.md, "Re-attaching"). The stream ends with the run, when the run is deleted, or after <see cref="DurableRunOptions.AttachMaxIdle"/>
    /// without a new checkpoint (a run waiting for a person): attach again with the last id.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="afterSequence">The last <see cref="AgentEvent.Sequence"/> the client saw; 0 for all.</param>
    /// <param name="cancellationToken">Stops reading (the run goes on).</param>
    /// <returns>The events.</returns>
    /// <exception cref="AgentRunNotFoundException">On the first move: no run has that id (here or in the checkpoint store).</exception>
    public IAsyncEnumerable<AgentEvent> AttachAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        return _logs.TryGetValue(runId, out var log) && !log.IsCompleted
            ? log.ReadAsync(afterSequence, cancellationToken)
            : ReadCheckpointedEventsAsync(runId, afterSequence, cancellationToken);
    }

    /// <summary>The session of a run whose events <see cref="AttachAsync"/> can read, for hosts that check ownership.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session id, or <see langword="null"/> when neither this process nor the checkpoint store knows the run.</returns>
    public async ValueTask<string?> GetAttachableRunSessionAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (_logs.TryGetValue(runId, out var log))
        {
            return log.SessionId;
        }

        return Checkpoints is { } store && await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is { } run ? run.SessionId : null;
    }

    private async IAsyncEnumerable<AgentEvent> ReadCheckpointedEventsAsync(string runId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var store = Checkpoints;
        var run = store is null ? null : await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (store is null || run is null)
        {
            throw new AgentRunNotFoundException($"No run '{runId}' is recorded{(store is null ? " (runs are not checkpointed)" : string.Empty)}; read the session's history instead.");
        }

        var projection = new RunEventProjection(run);
        if (RunEventIds.Unseen(projection.Started(), afterSequence) is { } started)
        {
            yield return started;
        }

        // Watched before the first read, so an append between a read and the wait wakes it.
        var shared = store.Signals;
        using var watch = (shared ?? LocalSignals).Watch(runId);
        var interval = shared is null ? Durability.AttachPollInterval : Durability.AttachRecheckInterval;
        var idleSince = Time.GetTimestamp();
        while (true)
        {
            var batch = await store.LoadCheckpointsAsync(runId, projection.LastSequence, Durability.AttachBatchSize, cancellationToken).ConfigureAwait(false);
            foreach (var checkpoint in batch)
            {
                if (checkpoint.Kind == RunCheckpointKind.Completed)
                {
                    var end = projection.Complete(checkpoint, await RunMessagesAsync(run, cancellationToken).ConfigureAwait(false));
                    if (RunEventIds.Unseen(end, afterSequence) is { } unseenEnd)
                    {
                        yield return unseenEnd;
                    }

                    yield break;
                }

                foreach (var evt in projection.Apply(checkpoint))
                {
                    if (RunEventIds.Unseen(evt, afterSequence) is { } unseen)
                    {
                        yield return unseen;
                    }
                }
            }

            if (batch.Count > 0)
            {
                idleSince = Time.GetTimestamp();
                continue;
            }

            // Nothing new: the run waits (a model call, a person), or it is gone with its session.
            if (Time.GetElapsedTime(idleSince) >= Durability.AttachMaxIdle || await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is null)
            {
                yield break;
            }

            await watch.WaitAsync(interval, Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The messages a finished run stored: its session's history from where the run started to where the next began.</summary>
    private async Task<IReadOnlyList<ChatMessage>> RunMessagesAsync(RunInfo run, CancellationToken cancellationToken)
    {
        var history = await Store.LoadMessagesAsync(run.SessionId, cancellationToken).ConfigureAwait(false);
        var runs = await RequireCheckpoints().ListRunsAsync(run.SessionId, cancellationToken).ConfigureAwait(false);
        var index = runs.ToList().FindIndex(r => string.Equals(r.RunId, run.RunId, StringComparison.Ordinal));
        var end = index >= 0 && index + 1 < runs.Count ? runs[index + 1].HistoryCount : history.Count;
        var start = Math.Min(run.HistoryCount, history.Count);
        return [.. history.Skip(start).Take(Math.Max(0, Math.Min(end, history.Count) - start))];
    }

    /// <summary>Lists a session's checkpoints, run by run, oldest first (time travel: pick one to fork from).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoints.</returns>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    /// <exception cref="InvalidOperationException">Runs are not checkpointed.</exception>
    public async Task<IReadOnlyList<RunCheckpoint>> ListCheckpointsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var store = RequireCheckpoints();
        _ = await Store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw SessionNotFoundException.For(sessionId);
        var all = new List<RunCheckpoint>();
        foreach (var run in await store.ListRunsAsync(sessionId, cancellationToken).ConfigureAwait(false))
        {
            all.AddRange(await store.LoadCheckpointsAsync(run.RunId, cancellationToken).ConfigureAwait(false));
        }

        return all;
    }

    /// <summary>
    /// Starts a new session whose history is the original's as it stood at a checkpoint: the messages before that
    /// run, the run's input, and its model responses and tool results up to and including the checkpoint (calls
    /// without a result there are left out). The original session is not changed.
    /// </summary>
    /// <param name="sessionId">The session to fork.</param>
    /// <param name="runId">The run the checkpoint belongs to.</param>
    /// <param name="sequence">The checkpoint's <see cref="RunCheckpoint.Sequence"/>.</param>
    /// <param name="owner">Who owns the new session (see <see cref="CreateSessionAsync(string, string?, CancellationToken)"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    /// <exception cref="RunCheckpointException">The session has no such run or checkpoint.</exception>
    public async Task<AgentSession> ForkSessionAsync(string sessionId, string runId, long sequence, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(runId);
        var store = RequireCheckpoints();
        var info = await Store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw SessionNotFoundException.For(sessionId);
        var runs = await store.ListRunsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var index = runs.ToList().FindIndex(r => string.Equals(r.RunId, runId, StringComparison.Ordinal));
        if (index < 0)
        {
            throw new RunCheckpointException($"Session '{sessionId}' has no run '{runId}'; list its checkpoints to find one.");
        }

        var run = runs[index];
        var checkpoints = await store.LoadCheckpointsAsync(runId, cancellationToken).ConfigureAwait(false);
        var upTo = checkpoints.Where(c => c.Sequence <= sequence).ToList();
        if (upTo.Count == 0 || upTo[^1].Sequence != sequence)
        {
            throw new RunCheckpointException($"Run '{runId}' has no checkpoint {sequence}; its checkpoints are 1 to {checkpoints.Count}.");
        }

        var history = await Store.LoadMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        List<ChatMessage> forked;
        if (upTo[^1].Kind == RunCheckpointKind.Completed)
        {
            // The run's messages as stored, up to where the next run began.
            var end = index + 1 < runs.Count ? runs[index + 1].HistoryCount : history.Count;
            forked = [.. history.Take(Math.Min(end, history.Count))];
        }
        else
        {
            forked = [.. history.Take(Math.Min(run.HistoryCount, history.Count)), run.Input, .. HistoryNormalizer.Normalize(Replay(upTo))];
        }

        var agent = GetAgent(info.AgentName);
        var created = await Store.CreateAsync(agent.Name, owner, cancellationToken).ConfigureAwait(false);
        await Store.AppendMessagesAsync(created.Id, forked, cancellationToken).ConfigureAwait(false);
        return new AgentSession(this, agent, created.Id);
    }

    private static IEnumerable<ChatMessage> Replay(IEnumerable<RunCheckpoint> checkpoints)
    {
        foreach (var checkpoint in checkpoints)
        {
            if (checkpoint.Kind == RunCheckpointKind.ModelResponse)
            {
                foreach (var message in CheckpointJson.ReadResponse(checkpoint).Messages)
                {
                    yield return message;
                }
            }
            else if (checkpoint.Kind == RunCheckpointKind.ToolCallCompleted && checkpoint.CallId is { } callId)
            {
                yield return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, CheckpointJson.ReadResult(checkpoint).Text)]);
            }
        }
    }

    private void KeepFinished(string runId)
    {
        _finishedLogs.Enqueue(runId);
        while (_finishedLogs.Count > KeptFinishedLogs && _finishedLogs.TryDequeue(out var old))
        {
            _logs.TryRemove(old, out _);
        }
    }

    private IRunCheckpointStore RequireCheckpoints() => Checkpoints ?? throw new InvalidOperationException(
        $"Runs are not checkpointed: the session store ({Store.GetType().Name}) is not an IRunCheckpointStore, or DurableRunOptions.Checkpoints (AgentKit:Runs:Checkpoints) is off.");
}
