using Microsoft.Extensions.AI;

namespace AgentKit.Hosting.Composition;

/// <summary>An application's layers for one model's <see cref="ChatClientBuilder"/>, registered by <c>ConfigureChatPipeline</c>.</summary>
/// <param name="ModelName">The model under <c>AgentKit:Models</c>.</param>
/// <param name="Configure">Adds the layers.</param>
internal sealed record ChatPipelineConfiguration(string ModelName, Action<ChatClientBuilder> Configure);
