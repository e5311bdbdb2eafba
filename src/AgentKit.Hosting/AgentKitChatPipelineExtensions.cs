using AgentKit.Hosting.Composition;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Opens each configured chat model's <see cref="ChatClientBuilder"/> to the application.</summary>
public static class AgentKitChatPipelineExtensions
{
    /// <summary>
    /// Adds layers to the <see cref="ChatClientBuilder"/> of the chat model <paramref name="modelName"/> (a name under
    /// <c>AgentKit:Models</c>, checked at start), in both of its pipelines: the keyed client and the agents' one. The
    /// layers sit inside function invocation (they see each model round trip) and outside the response cache,
    /// telemetry and logging that the <c>AgentKit:ChatPipeline</c> keys add. Calls add up, in call order (the first
    /// layer added is the outermost).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="configure">Adds the layers, e.g. <c>b => b.UseDistributedCache(cache)</c> or <c>b => b.Use(inner => new MyClient(inner))</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection ConfigureChatPipeline(this IServiceCollection services, string modelName, Action<ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddSingleton(new ChatPipelineConfiguration(modelName, configure));
    }

    /// <summary>Adds layers to a chat model's <see cref="ChatClientBuilder"/>; see <see cref="ConfigureChatPipeline(IServiceCollection, string, Action{ChatClientBuilder})"/>.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="configure">Adds the layers.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHostApplicationBuilder ConfigureChatPipeline(this IHostApplicationBuilder builder, string modelName, Action<ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureChatPipeline(modelName, configure);
        return builder;
    }
}
