using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Sessions;

/// <summary>Sessions in process memory, lost on restart: for tests, benchmarks and throwaway hosts. Thread-safe.</summary>
/// <param name="timeProvider">The clock; defaults to the system clock.</param>
public sealed class InMemorySessionStore(TimeProvider? timeProvider = null) : ISessionStore
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo> CreateAsync(string agentName, CancellationToken cancellationToken = default) => CreateAsync(agentName, null, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo> CreateAsync(string agentName, string? owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        var session = new Session(Guid.NewGuid().ToString("N"), agentName, owner, _time.GetUtcNow());
        _sessions[session.Id] = session;
        return ValueTask.FromResult(session.Info());
    }

    /// <inheritdoc />
    public ValueTask<AgentSessionInfo?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_sessions.TryGetValue(sessionId, out var s) ? s.Info() : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AgentSessionInfo>> ListAsync(string? agentName = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<AgentSessionInfo>>(
            [.. _sessions.Values.Where(s => agentName is null || s.Agent == agentName).Select(s => s.Info()).OrderByDescending(i => i.UpdatedAt).ThenBy(i => i.Id, StringComparer.Ordinal)]);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ChatMessage>> LoadMessagesAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var session = Find(sessionId);
        lock (session)
        {
            return ValueTask.FromResult<IReadOnlyList<ChatMessage>>([.. session.Messages.Select(ChatMessageJson.Deserialize)]);
        }
    }

    /// <inheritdoc />
    public ValueTask AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) => Write(sessionId, messages, replace: false);

    /// <inheritdoc />
    public ValueTask ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default) => Write(sessionId, messages, replace: true);

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => ValueTask.FromResult(_sessions.TryRemove(sessionId, out _));

    // Messages are kept as JSON so that callers cannot mutate stored history through shared instances.
    private ValueTask Write(string sessionId, IEnumerable<ChatMessage> messages, bool replace)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var rows = messages.Select(ChatMessageJson.Serialize).ToList();
        var session = Find(sessionId);
        lock (session)
        {
            if (replace)
            {
                session.Messages.Clear();
            }

            session.Messages.AddRange(rows);
            session.Updated = _time.GetUtcNow();
        }

        return ValueTask.CompletedTask;
    }

    private Session Find(string sessionId) =>
        _sessions.TryGetValue(sessionId ?? throw new ArgumentNullException(nameof(sessionId)), out var s) ? s : throw SessionNotFoundException.For(sessionId);

    private sealed class Session(string id, string agent, string? owner, DateTimeOffset created)
    {
        public string Id { get; } = id;

        public string Agent { get; } = agent;

        public string? Owner { get; } = owner;

        public DateTimeOffset Created { get; } = created;

        public List<string> Messages { get; } = [];

        public DateTimeOffset Updated { get; set; } = created;

        public AgentSessionInfo Info()
        {
            lock (this)
            {
                return new(Id, Agent, Created, Updated, Messages.Count, Owner);
            }
        }
    }
}
