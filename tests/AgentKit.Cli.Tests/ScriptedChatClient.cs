using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentKit.Cli.Tests;

/// <summary>
/// An <see cref="IChatClient"/> whose answers the test writes: it records every call's messages and options
/// and streams whatever <see cref="Answer"/> yields.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public Func<IReadOnlyList<ChatMessage>, CancellationToken, IAsyncEnumerable<string>> Answer { get; set; } = EchoAsync;

    public bool Disposed { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("agentkit chat streams; it must not call GetResponseAsync.");

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var snapshot = messages.ToList();
        Calls.Add((snapshot, options));
        await foreach (var piece in Answer(snapshot, cancellationToken))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() => Disposed = true;

    private static async IAsyncEnumerable<string> EchoAsync(IReadOnlyList<ChatMessage> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return "echo: ";
        yield return messages[^1].Text;
    }
}
