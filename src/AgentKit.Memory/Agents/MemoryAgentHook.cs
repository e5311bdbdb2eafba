using AgentKit.Abstractions.Agents;
using AgentKit.Memory.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Memory.Agents;

/// <summary>
/// Plugs <see cref="AgentMemory"/> into an agent (<c>AgentDefinition.Memory</c>): before each turn the memories
/// relevant to the user's message are recalled and sent as a system message (not stored in the session), which also
/// carries the turn's <see cref="MemoryScope"/> for the memory tools; after the turn the exchange is written as an
/// observation. The agent's name is the memory's agent id; the session id is stored as provenance.
/// </summary>
public sealed class MemoryAgentHook : IAgentMemory
{
    /// <summary>The line that starts the recalled-memories message.</summary>
    public const string Header = MemoryFence.Header;

    /// <summary>The line after <see cref="Header"/>: what the fenced memories are.</summary>
    public const string DataNote = MemoryFence.DataNote;

    private readonly AgentMemory _memory;
    private readonly MemoryAgentHookOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the hook.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public MemoryAgentHook(AgentMemory memory, MemoryAgentHookOptions? options = null, ILogger<MemoryAgentHook>? logger = null)
    {
        _memory = memory ?? throw new ArgumentNullException(nameof(memory));
        _options = options ?? new MemoryAgentHookOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.TokenBudget, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxObservationLength, 1, nameof(options));
        _logger = logger ?? NullLogger<MemoryAgentHook>.Instance;
    }

    /// <inheritdoc />
    public async ValueTask BeforeTurnAsync(AgentTurnContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = ScopeOf(context);
        var query = context.Input.Text;
        IReadOnlyList<RetrievedMemory> recalled = [];
        if (!string.IsNullOrWhiteSpace(query))
        {
            recalled = await _memory.RecallAsync(scope, query, new RecallOptions { TokenBudget = _options.TokenBudget }, cancellationToken).ConfigureAwait(false);
        }

        // Memories hold what users and tools said earlier: fenced and escaped, so a remembered sentence can neither
        // close the fence nor carry control-token text into this system message.
        var message = new ChatMessage(ChatRole.System, MemoryFence.Render(recalled));
        MemoryToolScope.Attach(message, scope);

        // Just before the user's message, so the instructions stay first and the memories are close to the question.
        var index = context.RequestMessages.Count > 0 && ReferenceEquals(context.RequestMessages[^1], context.Input) ? context.RequestMessages.Count - 1 : context.RequestMessages.Count;
        context.RequestMessages.Insert(index, message);
    }

    /// <inheritdoc />
    public async ValueTask AfterTurnAsync(AgentTurnContext context, AgentTurnResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        if (!_options.RecordObservations || string.IsNullOrWhiteSpace(context.Input.Text))
        {
            return;
        }

        var observation = MemoryFence.Observation(context.Input.Text, result.Text, _options.MaxObservationLength);
        try
        {
            await _memory.RememberAsync(ScopeOf(context), observation, new RememberOptions { Kind = MemoryKind.Observation }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The turn has happened and is stored; a failed observation (the model's rating, the store) must not undo it.
            MemoryLog.ObservationFailed(_logger, ex, context.AgentName);
        }
    }

    private MemoryScope ScopeOf(AgentTurnContext context) => new(context.AgentName, context.SessionId, _options.RestrictToSession);
}

/// <summary>Settings of a <see cref="MemoryAgentHook"/>.</summary>
public sealed class MemoryAgentHookOptions
{
    /// <summary>The most tokens of memories sent before a turn. Defaults to 512.</summary>
    public int TokenBudget { get; set; } = 512;

    /// <summary>Whether each turn (the user's message and the answer) is written as an observation. Defaults to <see langword="true"/>.</summary>
    public bool RecordObservations { get; set; } = true;

    /// <summary>The longest observation written, in characters; longer ones are cut. Defaults to 2,000.</summary>
    public int MaxObservationLength { get; set; } = 2000;

    /// <summary>Whether recall and the tools see only the memories of the current session. Defaults to <see langword="false"/> (all of the agent's memories).</summary>
    public bool RestrictToSession { get; set; }
}
