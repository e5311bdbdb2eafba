using AgentKit.Abstractions;
using Microsoft.Extensions.AI;

namespace AgentKit.Testing;

/// <summary>One multi-sequence request a <see cref="ScriptedMultiSequenceChatClient"/> received.</summary>
/// <param name="Conversations">The conversations (one repeated <c>count</c> times for the single-conversation overload).</param>
/// <param name="Options">The options the caller passed.</param>
/// <param name="SameConversation">Whether it was the single-conversation overload (<c>GetResponsesAsync(messages, count, …)</c>).</param>
public sealed record ScriptedBatchCall(IReadOnlyList<IReadOnlyList<ChatMessage>> Conversations, ChatOptions? Options, bool SameConversation);

/// <summary>
/// A chat client that also offers <see cref="IMultiSequenceChatClient"/> through <see cref="GetService"/>, as the local
/// engine does. Every completion (single or batched) is answered by <see cref="Respond"/>; batched completion i gets
/// the options' seed + i, like the engine. Single calls are recorded in <see cref="Calls"/>, batches in <see cref="Batches"/>.
/// </summary>
public sealed class ScriptedMultiSequenceChatClient : IChatClient, IMultiSequenceChatClient
{
    private readonly Lock _lock = new();
    private readonly List<ScriptedChatCall> _calls = [];
    private readonly List<ScriptedBatchCall> _batches = [];

    /// <summary>Creates the client.</summary>
    /// <param name="respond">Answers one completion from its messages and options.</param>
    /// <param name="maxSequences">The batch width reported as <see cref="MaxSequences"/>.</param>
    public ScriptedMultiSequenceChatClient(Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> respond, int maxSequences = 4)
    {
        ArgumentNullException.ThrowIfNull(respond);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequences, 1);
        Respond = respond;
        MaxSequences = maxSequences;
    }

    /// <summary>Answers each completion.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> Respond { get; }

    /// <inheritdoc/>
    public int MaxSequences { get; }

    /// <summary>Single (non-batched) calls, in order.</summary>
    public IReadOnlyList<ScriptedChatCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Multi-sequence requests, in order.</summary>
    public IReadOnlyList<ScriptedBatchCall> Batches
    {
        get
        {
            lock (_lock)
            {
                return [.. _batches];
            }
        }
    }

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = messages.ToList();
        lock (_lock)
        {
            _calls.Add(new ScriptedChatCall(snapshot, options, false));
        }

        return Task.FromResult(Respond(snapshot, options));
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("ScriptedMultiSequenceChatClient answers whole responses only.");

    /// <inheritdoc/>
    public Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var snapshot = messages.ToList();
        return Batch([.. Enumerable.Repeat<IReadOnlyList<ChatMessage>>(snapshot, count)], options, sameConversation: true, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IReadOnlyList<IEnumerable<ChatMessage>> conversations, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        return Batch([.. conversations.Select(c => (IReadOnlyList<ChatMessage>)c.ToList())], options, sameConversation: false, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private Task<IReadOnlyList<ChatResponse>> Batch(List<IReadOnlyList<ChatMessage>> conversations, ChatOptions? options, bool sameConversation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (conversations.Count < 1 || conversations.Count > MaxSequences)
        {
            throw new ArgumentOutOfRangeException(nameof(conversations), conversations.Count, $"Between 1 and {MaxSequences} completions per batch.");
        }

        lock (_lock)
        {
            _batches.Add(new ScriptedBatchCall(conversations, options, sameConversation));
        }

        var responses = new List<ChatResponse>(conversations.Count);
        for (var i = 0; i < conversations.Count; i++)
        {
            var each = options?.Clone() ?? new ChatOptions();
            if (options?.Seed is { } seed)
            {
                each.Seed = seed + i;
            }

            responses.Add(Respond(conversations[i], each));
        }

        return Task.FromResult<IReadOnlyList<ChatResponse>>(responses);
    }
}
