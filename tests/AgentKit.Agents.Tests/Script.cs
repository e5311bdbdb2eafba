using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests;

/// <summary>Scripted model answers for <see cref="ScriptedChatClient"/>: tool calls and texts, each reporting 15 tokens.</summary>
internal static class Script
{
    public static UsageDetails Usage(long input = 10, long output = 5) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    public static ChatResponse Call(string tool, IDictionary<string, object?>? arguments = null, string? callId = null, UsageDetails? usage = null) =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId ?? "call_" + Guid.NewGuid().ToString("N")[..8], tool, arguments ?? new Dictionary<string, object?>())]))
        {
            Usage = usage ?? Usage(),
            FinishReason = ChatFinishReason.ToolCalls,
        };

    public static ChatResponse Text(string text) => new(new ChatMessage(ChatRole.Assistant, text)) { Usage = Usage(), FinishReason = ChatFinishReason.Stop };

    public static ScriptedChatClient CallTool(this ScriptedChatClient client, string tool, IDictionary<string, object?>? arguments = null, string? callId = null) =>
        client.Enqueue(Call(tool, arguments, callId));

    public static ScriptedChatClient Reply(this ScriptedChatClient client, string text) => client.Enqueue(Text(text));
}

/// <summary>A model whose answer the test computes asynchronously (to block, delay or observe cancellation).</summary>
internal sealed class DelegateChatClient(Func<int, CancellationToken, Task<ChatResponse>> respond) : IChatClient
{
    private int _calls;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await respond(Interlocked.Increment(ref _calls), cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
