using System.Runtime.CompilerServices;
using AgentKit.Agents.Events;
using AgentKit.Agents.Runs;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents;

/// <summary>
/// A conversation with one agent, its history kept in the session store. Cheap to create: hosts open one per
/// request with <see cref="AgentRunner.OpenSessionAsync"/>. One turn runs at a time per session id, across
/// instances (and across processes when an <see cref="Sessions.ISessionRunLock"/> is registered); a second
/// concurrent run throws <see cref="AgentSessionBusyException"/>.
/// </summary>
public sealed class AgentSession
{
    private readonly AgentRunner _runner;

    internal AgentSession(AgentRunner runner, AgentDefinition agent, string id)
    {
        _runner = runner;
        Agent = agent;
        Id = id;
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>The agent.</summary>
    public AgentDefinition Agent { get; }

    /// <summary>The stored history, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages.</returns>
    public ValueTask<IReadOnlyList<ChatMessage>> GetHistoryAsync(CancellationToken cancellationToken = default) =>
        _runner.Store.LoadMessagesAsync(Id, cancellationToken);

    /// <summary>Runs one turn and returns how it ended; limits, cancellation and failures are outcomes, not exceptions.</summary>
    /// <param name="input">The user's message.</param>
    /// <param name="cancellationToken">Cancels the run (outcome <see cref="AgentRunOutcome.Cancelled"/>).</param>
    /// <returns>The result.</returns>
    /// <exception cref="AgentSessionBusyException">The session is already running a turn.</exception>
    public Task<AgentRunResult> RunAsync(string input, CancellationToken cancellationToken = default) =>
        RunAsync(new ChatMessage(ChatRole.User, input), cancellationToken);

    /// <inheritdoc cref="RunAsync(string, CancellationToken)"/>
    public async Task<AgentRunResult> RunAsync(ChatMessage input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var entry = await _runner.EnterRunAsync(Id, cancellationToken).ConfigureAwait(false);
        await using (entry.ConfigureAwait(false))
        {
            var run = new AgentRun(_runner, Agent, Id, input, streamEvents: false);
            await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return run.Result;
        }
    }

    /// <summary>Runs one turn, yielding its events as they happen; the last is <see cref="RunCompletedEvent"/> or <see cref="RunFailedEvent"/>.</summary>
    /// <param name="input">The user's message.</param>
    /// <param name="cancellationToken">Cancels the run; the stream then ends with a <see cref="RunFailedEvent"/> (outcome <see cref="AgentRunOutcome.Cancelled"/>).</param>
    /// <returns>The events. Stopping the enumeration early cancels the run.</returns>
    /// <exception cref="AgentSessionBusyException">On the first move: the session is already running a turn.</exception>
    public IAsyncEnumerable<AgentEvent> RunStreamingAsync(string input, CancellationToken cancellationToken = default) =>
        RunStreamingAsync(new ChatMessage(ChatRole.User, input), cancellationToken);

    /// <inheritdoc cref="RunStreamingAsync(string, CancellationToken)"/>
    public async IAsyncEnumerable<AgentEvent> RunStreamingAsync(ChatMessage input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var entry = await _runner.EnterRunAsync(Id, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task execution = Task.CompletedTask;
        try
        {
            var run = new AgentRun(_runner, Agent, Id, input, streamEvents: true);

            // On the thread pool: a model client that computes synchronously before its first await (a local engine
            // evaluating a long prompt) would otherwise hold back every event, run_started included, until it yields.
            execution = Task.Run(() => run.ExecuteAsync(stop.Token), CancellationToken.None);

            // Read without the caller's token: after a cancellation the run still reports its final event.
            await foreach (var evt in run.Events.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return evt;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await execution.ConfigureAwait(false);
            await entry.DisposeAsync().ConfigureAwait(false);
        }
    }
}
