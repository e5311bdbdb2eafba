using System.Collections.Concurrent;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Diagnostics;
using AgentKit.Agents.Runs;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentKit.Agents;

/// <summary>
/// The registered agents and their sessions: create, open, list and delete sessions, then run turns on them.
/// One instance per application (a singleton in DI); thread-safe. A host (CLI, HTTP) opens an
/// <see cref="AgentSession"/> per request and streams its run events.
/// </summary>
public sealed partial class AgentRunner
{
    private readonly Dictionary<string, AgentDefinition> _agents;
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IChatReducer?> _reducers = new(StringComparer.Ordinal);
    private readonly IPromptRegistry? _prompts;
    private readonly ISessionRunLock? _runLock;

    /// <summary>Creates the runner (DI does this; see <c>AddAgentKitAgents</c>).</summary>
    /// <param name="agents">The agent definitions; names must be unique.</param>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="tools">The registered tools.</param>
    /// <param name="services">Resolves chat clients (keyed by <see cref="AgentDefinition.ChatClientKey"/>), the prompt registry and the approval handler.</param>
    /// <param name="toolOptions">Tool pipeline settings; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <exception cref="AgentConfigurationException">Two agents share a name.</exception>
    public AgentRunner(
        IEnumerable<AgentDefinition> agents, ISessionStore store, ToolCatalog tools, IServiceProvider services,
        IOptions<ToolPipelineOptions>? toolOptions = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(agents);
        _agents = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            if (!_agents.TryAdd(agent.Name, agent))
            {
                throw new AgentConfigurationException($"Two agents are named '{agent.Name}'; agent names must be unique.");
            }
        }

        Store = store ?? throw new ArgumentNullException(nameof(store));
        Tools = tools ?? throw new ArgumentNullException(nameof(tools));
        Services = services ?? throw new ArgumentNullException(nameof(services));
        ToolOptions = toolOptions?.Value ?? new ToolPipelineOptions();
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = timeProvider ?? TimeProvider.System;
        ApprovalHandler = services.GetService<IToolApprovalHandler>() ?? DenyingToolApprovalHandler.Instance;
        _prompts = services.GetService<IPromptRegistry>();
        _runLock = services.GetService<ISessionRunLock>();
        Telemetry = services.GetService<IOptions<AgentTelemetryOptions>>()?.Value ?? new AgentTelemetryOptions();
        Durability = services.GetService<IOptions<DurableRunOptions>>()?.Value ?? new DurableRunOptions();
        Checkpoints = Durability.Checkpoints ? services.GetService<IRunCheckpointStore>() ?? store as IRunCheckpointStore : null;
    }

    /// <summary>The registered agents.</summary>
    public IReadOnlyCollection<AgentDefinition> Agents => _agents.Values;

    internal ISessionStore Store { get; }

    internal ToolCatalog Tools { get; }

    internal IServiceProvider Services { get; }

    internal ToolPipelineOptions ToolOptions { get; }

    internal ILoggerFactory LoggerFactory { get; }

    internal TimeProvider Time { get; }

    internal AgentTelemetryOptions Telemetry { get; }

    internal IToolApprovalHandler ApprovalHandler { get; }

    /// <summary>Gets an agent by name.</summary>
    /// <param name="name">The agent's name.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="AgentNotFoundException">No agent has that name.</exception>
    public AgentDefinition GetAgent(string name) =>
        _agents.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var agent)
            ? agent
            : throw new AgentNotFoundException($"No agent is named '{name}'. Agents: {(_agents.Count == 0 ? "(none)" : string.Join(", ", _agents.Keys.Order(StringComparer.Ordinal)))}.");

    /// <summary>Starts a new, empty session with an agent.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session.</returns>
    /// <exception cref="AgentNotFoundException">No agent has that name.</exception>
    public Task<AgentSession> CreateSessionAsync(string agentName, CancellationToken cancellationToken = default) => CreateSessionAsync(agentName, null, cancellationToken);

    /// <summary>Starts a new, empty session with an agent, owned by a caller (see <see cref="AgentSessionInfo.Owner"/>).</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="owner">Who may use the session (an API key's hash, a signed-in user); <see langword="null"/> for nobody in particular.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session.</returns>
    /// <exception cref="AgentNotFoundException">No agent has that name.</exception>
    public async Task<AgentSession> CreateSessionAsync(string agentName, string? owner, CancellationToken cancellationToken)
    {
        var agent = GetAgent(agentName);
        var info = await Store.CreateAsync(agent.Name, owner, cancellationToken).ConfigureAwait(false);
        return new AgentSession(this, agent, info.Id);
    }

    /// <summary>Opens an existing session (for example after a restart).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session.</returns>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    /// <exception cref="AgentNotFoundException">The session's agent is no longer registered.</exception>
    public async Task<AgentSession> OpenSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var info = await Store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw SessionNotFoundException.For(sessionId);
        return new AgentSession(this, GetAgent(info.AgentName), info.Id);
    }

    /// <summary>Lists stored sessions, most recent first.</summary>
    /// <param name="agentName">Only this agent's; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sessions.</returns>
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListSessionsAsync(string? agentName = null, CancellationToken cancellationToken = default) =>
        Store.ListAsync(agentName, cancellationToken);

    /// <summary>Lists one page of stored sessions, most recent first (see <see cref="SessionQuery"/>).</summary>
    /// <param name="query">Which sessions and how many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The query's limit or offset is out of range.</exception>
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken = default) =>
        Store.ListAsync(query, cancellationToken);

    /// <summary>Deletes a session and its history.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether there was such a session.</returns>
    /// <exception cref="AgentSessionBusyException">The session is running a turn.</exception>
    public async ValueTask<bool> DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (_running.ContainsKey(sessionId))
        {
            throw new AgentSessionBusyException($"Session '{sessionId}' is running a turn; cancel it before deleting the session.");
        }

        if (_runLock is null)
        {
            return await Store.DeleteAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }

        // Holding the run lock while deleting: a turn in another process cannot be left writing to a deleted session.
        var held = await _runLock.TryAcquireAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new AgentSessionBusyException($"Session '{sessionId}' is running a turn in another process; cancel it before deleting the session.");
        await using (held.ConfigureAwait(false))
        {
            return await Store.DeleteAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
    }

    internal void EnterRun(string sessionId)
    {
        if (!_running.TryAdd(sessionId, 0))
        {
            throw new AgentSessionBusyException($"Session '{sessionId}' is already running a turn; wait for it to finish or cancel it.");
        }
    }

    internal void ExitRun(string sessionId) => _running.TryRemove(sessionId, out _);

    /// <summary>Enters a turn in this process and, with a shared store, across processes; disposing the result leaves it.</summary>
    internal async ValueTask<IAsyncDisposable> EnterRunAsync(string sessionId, CancellationToken cancellationToken)
    {
        EnterRun(sessionId);
        try
        {
            var shared = _runLock is null ? null : await _runLock.TryAcquireAsync(sessionId, cancellationToken).ConfigureAwait(false)
                ?? throw new AgentSessionBusyException($"Session '{sessionId}' is running a turn in another process; wait for it to finish or cancel it there.");
            return new RunEntry(this, sessionId, shared);
        }
        catch
        {
            ExitRun(sessionId);
            throw;
        }
    }

    private sealed class RunEntry(AgentRunner runner, string sessionId, IAsyncDisposable? shared) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (shared is not null)
                {
                    await shared.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                runner.ExitRun(sessionId);
            }
        }
    }

    internal IChatClient GetChatClient(AgentDefinition agent) => _clients.GetOrAdd(agent.ChatClientKey ?? string.Empty, key =>
    {
        var client = AgentChatClients.Resolve(Services, agent);
        if (client.GetService<FunctionInvokingChatClient>() is not null)
        {
            throw new AgentConfigurationException(
                $"The chat client '{(key.Length == 0 ? "(default)" : key)}' of agent '{agent.Name}' invokes functions itself; register it without UseFunctionInvocation, since the agent's tool pipeline invokes tools (allowlist, validation, approvals).");
        }

        return client;
    });

    internal IChatReducer? GetHistoryReducer(AgentDefinition agent) => _reducers.GetOrAdd(agent.Name, _ =>
    {
        if (agent.ContextTokenBudget is not { } budget)
        {
            return null;
        }

        var prompts = _prompts ?? throw new AgentConfigurationException(
            $"Agent '{agent.Name}' has a context budget, which needs the prompt registry (for the '{History.SummarizingHistoryReducer.PromptName}' prompt); register AgentKit prompts.");
        return new History.SummarizingHistoryReducer(GetChatClient(agent), prompts, budget);
    });

    internal ValueTask<IEnumerable<ChatMessage>> RenderInstructionsAsync(AgentDefinition agent, string sessionId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var instructions = agent.Instructions;
        if (instructions.PromptName is not { } promptName)
        {
            return ValueTask.FromResult<IEnumerable<ChatMessage>>([new ChatMessage(ChatRole.System, instructions.Text)]);
        }

        var prompts = _prompts ?? throw new AgentConfigurationException(
            $"Agent '{agent.Name}' takes its instructions from the prompt '{promptName}', but no prompt registry is registered; register AgentKit prompts.");
        var inputs = new Dictionary<string, object?>(instructions.Inputs, StringComparer.Ordinal)
        {
            ["agent_name"] = agent.Name,
            ["session_id"] = sessionId,
        };
        return ValueTask.FromResult<IEnumerable<ChatMessage>>(prompts.Get(promptName).Render(inputs));
    }
}
