using AgentKit.Memory;
using AgentKit.Memory.Agents;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.AgentFramework.Context;

/// <summary>
/// AgentKit long-term memory (<see cref="AgentMemory"/>) as a Microsoft Agent Framework <see cref="AIContextProvider"/>,
/// usable by any MAF agent (a <c>ChatClientAgent</c> through <c>ChatClientAgentOptions.AIContextProviders</c>).
/// </summary>
/// <remarks>
/// <para>Before the model call the memories relevant to the caller's new messages are recalled (recency, importance and
/// relevance, within <see cref="AgentKitMemoryContextProviderOptions.TokenBudget"/> and
/// <see cref="AgentKitMemoryContextProviderOptions.MaxMemories"/>) and added to the invocation's instructions, fenced
/// and escaped by <see cref="MemoryFence"/> and marked as data, never instructions. Instructions are transient in MAF:
/// the memories are not stored in the conversation.</para>
/// <para>After a successful call the exchange is written through <see cref="AgentMemory.RememberAsync"/> as an
/// observation (rated by the memory's model). A failed write is logged and does not fail the agent's run, which has
/// already happened; a failed read (the store, the embedder, a changed embedding model) fails the run with the
/// memory's typed exception.</para>
/// </remarks>
public sealed partial class AgentKitMemoryContextProvider : AIContextProvider
{
    private readonly AgentMemory _memory;
    private readonly AgentKitMemoryContextProviderOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the provider.</summary>
    /// <param name="memory">The memory it reads and writes.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Logs failed writes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public AgentKitMemoryContextProvider(AgentMemory memory, AgentKitMemoryContextProviderOptions? options = null, ILogger<AgentKitMemoryContextProvider>? logger = null)
    {
        _memory = memory ?? throw new ArgumentNullException(nameof(memory));
        _options = options ?? new AgentKitMemoryContextProviderOptions();
        _options.Validate();
        _logger = logger ?? NullLogger<AgentKitMemoryContextProvider>.Instance;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No agent id is configured and the agent has no name.</exception>
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = TextOf(context.AIContext.Messages);
        if (query.Length == 0)
        {
            return new AIContext();
        }

        var recalled = await _memory.RecallAsync(
            Scope(context.Agent, context.Session),
            query,
            new RecallOptions { TokenBudget = _options.TokenBudget, MaxResults = _options.MaxMemories },
            cancellationToken).ConfigureAwait(false);
        return new AIContext { Instructions = MemoryFence.Render(recalled) };
    }

    /// <inheritdoc/>
    protected override async ValueTask StoreAIContextAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var said = TextOf(context.RequestMessages);
        if (!_options.RecordObservations || said.Length == 0)
        {
            return;
        }

        var answer = TextOf(context.ResponseMessages?.Where(m => m.Role == ChatRole.Assistant));
        try
        {
            await _memory.RememberAsync(
                Scope(context.Agent, context.Session),
                MemoryFence.Observation(said, answer, _options.MaxObservationLength),
                new RememberOptions { Kind = MemoryKind.Observation },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The agent has answered; a failed observation (the rating model, the store) must not turn that into a failure.
            WriteFailed(_logger, ex, context.Agent.Name ?? context.Agent.Id);
        }
    }

    private MemoryScope Scope(AIAgent agent, Microsoft.Agents.AI.AgentSession? session)
    {
        var agentId = _options.AgentId ?? agent.Name;
        if (string.IsNullOrWhiteSpace(agentId))
        {
            throw new InvalidOperationException(
                $"The memory context provider needs an agent id: set {nameof(AgentKitMemoryContextProviderOptions)}.{nameof(AgentKitMemoryContextProviderOptions.AgentId)} or give the agent a Name.");
        }

        var sessionId = session is AgentKitSession kit ? kit.SessionId : null;
        return new MemoryScope(agentId, sessionId, _options.RestrictToSession && sessionId is not null);
    }

    private static string TextOf(IEnumerable<ChatMessage>? messages) =>
        messages is null ? string.Empty : string.Join('\n', messages.Where(m => m.Role == ChatRole.User || m.Role == ChatRole.Assistant).Select(m => m.Text.Trim()).Where(t => t.Length > 0));

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Writing the observation of agent '{Agent}' to AgentKit memory failed; the run is unaffected.")]
    private static partial void WriteFailed(ILogger logger, Exception exception, string agent);
}

/// <summary>Settings of an <see cref="AgentKitMemoryContextProvider"/>.</summary>
public sealed class AgentKitMemoryContextProviderOptions
{
    /// <summary>The memory's agent id (the partition read and written). Defaults to <see langword="null"/>: the MAF agent's <c>Name</c>.</summary>
    public string? AgentId { get; set; }

    /// <summary>The most tokens of memories added before a call (1–100,000). Defaults to 512.</summary>
    public int TokenBudget { get; set; } = 512;

    /// <summary>The most memories added before a call (1–1,000), or <see langword="null"/> for as many as fit <see cref="TokenBudget"/>. Defaults to 10.</summary>
    public int? MaxMemories { get; set; } = 10;

    /// <summary>Whether each exchange is written as an observation after the call. Defaults to <see langword="true"/>.</summary>
    public bool RecordObservations { get; set; } = true;

    /// <summary>The longest observation written, in characters (1–8,000); longer ones are cut. Defaults to 2,000.</summary>
    public int MaxObservationLength { get; set; } = 2000;

    /// <summary>
    /// Whether recall sees only the memories of the current session. Only an AgentKit session (<see cref="AgentKitSession"/>)
    /// has an id; other sessions read all of the agent's memories. Defaults to <see langword="false"/>.
    /// </summary>
    public bool RestrictToSession { get; set; }

    internal void Validate()
    {
        Check(TokenBudget, 1, 100_000, nameof(TokenBudget));
        if (MaxMemories is { } max)
        {
            Check(max, 1, 1000, nameof(MaxMemories));
        }

        Check(MaxObservationLength, 1, 8000, nameof(MaxObservationLength));
        if (AgentId is { } id && string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"{nameof(AgentKitMemoryContextProviderOptions)}.{nameof(AgentId)} must not be blank; leave it null to use the agent's name.", nameof(AgentId));
        }
    }

    internal static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} {value} must be from {min} to {max}.");
        }
    }
}
