using AgentKit.Agents;
using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;

namespace AgentKit.Evaluation.Running;

/// <summary>
/// A configured agent: each run is a new session of <paramref name="agentName"/> on <paramref name="runner"/>, each
/// user message one agent run. End-state checks go to <paramref name="checker"/> (none: such checks fail, saying so).
/// For agents whose tools change the world, give each run a fresh world with an <see cref="IEvalTarget"/> of your own
/// that starts one and returns <see cref="AgentEvalSession"/> over it (ShopBot's suite does).
/// </summary>
/// <param name="runner">The agent runtime.</param>
/// <param name="agentName">The agent.</param>
/// <param name="checker">Runs end-state checks, or <see langword="null"/>.</param>
public sealed class AgentEvalTarget(AgentRunner runner, string agentName, EndStateChecker? checker = null) : IEvalTarget
{
    /// <inheritdoc/>
    public string Name => $"agent {agentName}";

    /// <inheritdoc/>
    public async ValueTask<IEvalSession> StartAsync(EvalCase evalCase, CancellationToken cancellationToken) =>
        await AgentEvalSession.StartAsync(runner, agentName, checker, owner: null, cancellationToken).ConfigureAwait(false);
}

/// <summary>One run's agent session: user messages become agent runs; end-state checks go to a checker.</summary>
public sealed class AgentEvalSession : IEvalSession
{
    private readonly AgentSession _session;
    private readonly EndStateChecker? _checker;
    private readonly IAsyncDisposable? _owner;

    private AgentEvalSession(AgentSession session, EndStateChecker? checker, IAsyncDisposable? owner)
    {
        _session = session;
        _checker = checker;
        _owner = owner;
    }

    /// <summary>Starts a session of an agent.</summary>
    /// <param name="runner">The agent runtime.</param>
    /// <param name="agentName">The agent.</param>
    /// <param name="checker">Runs end-state checks, or <see langword="null"/>.</param>
    /// <param name="owner">What the session lives in (a world started for this run), disposed with it; or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The session.</returns>
    public static async Task<AgentEvalSession> StartAsync(AgentRunner runner, string agentName, EndStateChecker? checker, IAsyncDisposable? owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var session = await runner.CreateSessionAsync(agentName, cancellationToken).ConfigureAwait(false);

        // The session id reaches the model (agents name their conversation in the instructions) and is new every run.
        EvalMeter.Current?.MaskInCacheKey(session.Id);
        return new AgentEvalSession(session, checker, owner);
    }

    /// <summary>The agent session's id (end-state checks may read its audit trail).</summary>
    public string SessionId => _session.Id;

    /// <inheritdoc/>
    public async Task<EvalTurn> SendAsync(string? userMessage, CancellationToken cancellationToken)
    {
        if (userMessage is null)
        {
            return new EvalTurn([], string.Empty, "an agent case needs a user message ('input', 'turns' or 'simulator').");
        }

        var result = await _session.RunAsync(userMessage, cancellationToken).ConfigureAwait(false);
        return new EvalTurn(result.Messages, result.Text, result.IsCompleted ? null : $"{result.Outcome}: {result.Error}");
    }

    /// <inheritdoc/>
    public ValueTask<ExpectationResult> CheckEndStateAsync(EndStateCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        return _checker is null
            ? ValueTask.FromResult(new ExpectationResult(check.ToString(), false, "this target checks no end state; run the dataset against a target that does."))
            : _checker(check, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_owner is not null)
        {
            await _owner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
