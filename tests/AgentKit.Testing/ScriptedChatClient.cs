using Microsoft.Extensions.AI;

namespace AgentKit.Testing;

/// <summary>
/// A chat client that plays a script: each call answers with the next scripted response (text, tool calls, or a
/// delegate that looks at the request). Records every request. For orchestration tests and benchmarks.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly List<Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>> _script = [];
    private readonly Lock _gate = new();
    private int _next;

    /// <summary>Every request received: the messages and options as sent.</summary>
    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    /// <summary>When set, the script starts over after its last step instead of failing (for benchmarks).</summary>
    public bool Loop { get; set; }

    /// <summary>When set, requests are not recorded (for benchmarks).</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Usage reported with each scripted response; <see langword="null"/> reports none.</summary>
    public UsageDetails? UsagePerCall { get; set; } = new() { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 };

    /// <summary>Adds a text answer.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>This client.</returns>
    public ScriptedChatClient Reply(string text) => Then((_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))));

    /// <summary>Adds an answer that calls one tool.</summary>
    /// <param name="toolName">The tool.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="callId">The call id; generated when <see langword="null"/>.</param>
    /// <returns>This client.</returns>
    public ScriptedChatClient CallTool(string toolName, IDictionary<string, object?>? arguments = null, string? callId = null) =>
        Then((_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
            [new FunctionCallContent(callId ?? "call_" + Guid.NewGuid().ToString("N")[..8], toolName, arguments ?? new Dictionary<string, object?>())]))));

    /// <summary>Adds a step computed from the request.</summary>
    /// <param name="respond">Produces the response.</param>
    /// <returns>This client.</returns>
    public ScriptedChatClient Then(Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _script.Add(respond);
        return this;
    }

    /// <summary>How many scripted steps have been played.</summary>
    public int CallCount => _next;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> step;
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        lock (_gate)
        {
            if (RecordRequests)
            {
                Requests.Add(([.. list], options));
            }

            if (_next >= _script.Count && !Loop)
            {
                throw new InvalidOperationException($"The script has {_script.Count} steps and all were played; the client got call {_next + 1}.");
            }

            step = _script[_next++ % _script.Count];
        }

        var response = await step(list, options, cancellationToken).ConfigureAwait(false);
        response.Usage ??= UsagePerCall is null ? null : new UsageDetails
        {
            InputTokenCount = UsagePerCall.InputTokenCount,
            OutputTokenCount = UsagePerCall.OutputTokenCount,
            TotalTokenCount = UsagePerCall.TotalTokenCount,
        };
        response.FinishReason ??= response.Messages.SelectMany(m => m.Contents).Any(c => c is FunctionCallContent) ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;
        return response;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
