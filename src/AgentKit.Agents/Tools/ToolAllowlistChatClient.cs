using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools;

/// <summary>Removes tools that are not on the allowlist from each request, so the model never sees them.</summary>
internal sealed class ToolAllowlistChatClient(IChatClient inner, IReadOnlySet<string> allowlist) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, ToolPipeline.FilterTools(options, allowlist), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, ToolPipeline.FilterTools(options, allowlist), cancellationToken);
}
