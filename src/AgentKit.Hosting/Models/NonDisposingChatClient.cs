using Microsoft.Extensions.AI;

namespace AgentKit.Hosting.Models;

/// <summary>Shares an engine client between pipelines: the container owns and disposes the engine, not the layers.</summary>
internal sealed class NonDisposingChatClient(IChatClient inner) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.GetResponseAsync(messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.GetStreamingResponseAsync(messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // Deliberately empty: the engine client is a keyed singleton that the container disposes.
    }
}
