using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentKit.Testing;

/// <summary>One call a <see cref="ScriptedChatClient"/> received.</summary>
/// <param name="Messages">The messages, copied when the call was made.</param>
/// <param name="Options">The options the caller passed.</param>
/// <param name="Streaming">Whether the call was <see cref="IChatClient.GetStreamingResponseAsync"/>.</param>
public sealed record ScriptedChatCall(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options, bool Streaming);

/// <summary>
/// An <see cref="IChatClient"/> whose answers the test writes: queued responses are returned in order, then
/// <see cref="Respond"/> answers; every call is recorded in <see cref="Calls"/>. Streaming calls stream the same
/// responses, split into <see cref="StreamChunkLength"/>-character text updates.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Lock _lock = new();
    private readonly Queue<ChatResponse> _responses = new();
    private readonly List<ScriptedChatCall> _calls = [];
    private int _callCount;

    /// <summary>Creates a client that answers with the given assistant texts, in order.</summary>
    /// <param name="answers">The answers.</param>
    public ScriptedChatClient(params IEnumerable<string> answers)
    {
        foreach (var answer in answers)
        {
            Enqueue(answer);
        }
    }

    /// <summary>Creates a client that answers every call with <paramref name="respond"/>.</summary>
    /// <param name="respond">Computes a response from the messages and options.</param>
    public ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> respond) => Respond = respond;

    /// <summary>Answers calls once the queue is empty; without it, such a call fails the test.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse>? Respond { get; set; }

    /// <summary>Characters per streamed text update; 0 (the default) streams each response's text in one update.</summary>
    public int StreamChunkLength { get; set; }

    /// <summary>How long streaming waits before each chunk (a slow model, for timeouts and stop buttons); zero by default.</summary>
    public TimeSpan StreamChunkDelay { get; set; }

    /// <summary>Services <see cref="GetService"/> returns by type, for capability discovery tests.</summary>
    public Dictionary<Type, object> Services { get; } = [];

    /// <summary>
    /// Whether each call is kept in <see cref="Calls"/>. Default: true. Turn it off for long load runs, where the
    /// record would grow without bound; <see cref="CallCount"/> still counts.
    /// </summary>
    public bool RecordCalls { get; set; } = true;

    /// <summary>Calls so far, recorded or not.</summary>
    public int CallCount => Volatile.Read(ref _callCount);

    /// <summary>Every call so far, in order (while <see cref="RecordCalls"/> is on).</summary>
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

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool Disposed { get; private set; }

    /// <summary>Queues a response.</summary>
    /// <param name="response">The response to return to the next call.</param>
    /// <returns>This client.</returns>
    public ScriptedChatClient Enqueue(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (_lock)
        {
            _responses.Enqueue(response);
        }

        return this;
    }

    /// <summary>Queues an assistant answer.</summary>
    /// <param name="text">The answer's text.</param>
    /// <returns>This client.</returns>
    public ScriptedChatClient Enqueue(string text) => Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Next(messages, options, streaming: false));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = Next(messages, options, streaming: true);
        foreach (var update in response.ToChatResponseUpdates())
        {
            foreach (var piece in Split(update))
            {
                if (StreamChunkDelay > TimeSpan.Zero)
                {
                    await Task.Delay(StreamChunkDelay, cancellationToken).ConfigureAwait(false);
                }

                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return piece;
            }
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType.IsInstanceOfType(this) ? this : Services.GetValueOrDefault(serviceType);
    }

    /// <inheritdoc/>
    public void Dispose() => Disposed = true;

    private ChatResponse Next(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        var snapshot = messages.ToList();
        ChatResponse? queued;
        int number;
        lock (_lock)
        {
            if (RecordCalls)
            {
                _calls.Add(new ScriptedChatCall(snapshot, options, streaming));
            }

            number = ++_callCount;
            _responses.TryDequeue(out queued);
        }

        return queued
            ?? Respond?.Invoke(snapshot, options)
            ?? throw new InvalidOperationException($"ScriptedChatClient has no response for call {number}: queue more answers or set Respond.");
    }

    private IEnumerable<ChatResponseUpdate> Split(ChatResponseUpdate update)
    {
        var text = update.Text;
        if (StreamChunkLength <= 0 || text.Length <= StreamChunkLength || update.Contents.Count != 1 || update.Contents[0] is not TextContent)
        {
            yield return update;
            yield break;
        }

        for (var start = 0; start < text.Length; start += StreamChunkLength)
        {
            yield return new ChatResponseUpdate(update.Role, text.Substring(start, Math.Min(StreamChunkLength, text.Length - start)))
            {
                ResponseId = update.ResponseId,
                MessageId = update.MessageId,
                CreatedAt = update.CreatedAt,
                ModelId = update.ModelId,
            };
        }
    }
}
