using AgentKit.Cost.Caching;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="CompletionCacheChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class CompletionCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Answers repeated and similar requests from <paramref name="cache"/>. Put it inside function invocation, so each
    /// model round trip is looked up on its own and tool calls are never replayed from an outer layer.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="cache">The cache; <see langword="null"/> resolves <see cref="CompletionCache"/> from the builder's services.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseCompletionCache(this ChatClientBuilder builder, CompletionCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new CompletionCacheChatClient(inner, cache ?? services.GetRequiredService<CompletionCache>()));
    }
}
