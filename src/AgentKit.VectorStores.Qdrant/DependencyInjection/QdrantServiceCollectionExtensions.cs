using AgentKit.VectorStores.Qdrant;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Qdrant.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="QdrantVectorStore"/>.</summary>
public static class QdrantServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="QdrantVectorStore"/>, also as <see cref="VectorStore"/>, with options
    /// validated at start-up (failures name the key, e.g. <c>Qdrant:Endpoint</c>). The store creates and owns a
    /// <see cref="QdrantClient"/> for <see cref="QdrantVectorStoreOptions.Endpoint"/> (gRPC, port 6334 by default).
    /// When <see cref="QdrantVectorStoreOptions.EmbeddingGenerator"/> is not set, an <see cref="IEmbeddingGenerator"/>
    /// registered in the container becomes the store's (as Microsoft's connectors do).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="QdrantVectorStoreOptions"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddQdrantVectorStore(this IServiceCollection services, Action<QdrantVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddQdrantVectorStore(configure, clientFactory: null);
    }

    /// <summary>
    /// Registers a singleton <see cref="QdrantVectorStore"/>, also as <see cref="VectorStore"/>, on a
    /// <see cref="QdrantClient"/> you create (address, TLS, API key, headers): the store uses it and leaves its disposal
    /// to you or the container. <see cref="QdrantVectorStoreOptions.Endpoint"/> and
    /// <see cref="QdrantVectorStoreOptions.ApiKey"/> are then not needed; the other options apply as in
    /// <see cref="AddQdrantVectorStore(IServiceCollection, Action{QdrantVectorStoreOptions})"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="clientFactory">Gives the client, for example <c>sp => sp.GetRequiredService&lt;QdrantClient&gt;()</c>.</param>
    /// <param name="configure">Sets <see cref="QdrantVectorStoreOptions"/>; none leaves the defaults.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddQdrantVectorStore(
        this IServiceCollection services, Func<IServiceProvider, QdrantClient> clientFactory, Action<QdrantVectorStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        return services.AddQdrantVectorStore(configure ?? (_ => { }), clientFactory);
    }

    private static IServiceCollection AddQdrantVectorStore(
        this IServiceCollection services, Action<QdrantVectorStoreOptions> configure, Func<IServiceProvider, QdrantClient>? clientFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<QdrantVectorStoreOptions>().Configure(configure)
            .PostConfigure<IServiceProvider>((options, sp) => options.EmbeddingGenerator ??= sp.GetService<IEmbeddingGenerator>())
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QdrantVectorStoreOptions>>(
            new QdrantVectorStoreOptionsValidator(endpointRequired: clientFactory is null)));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<QdrantVectorStoreOptions>>().Value;
            var loggerFactory = sp.GetService<ILoggerFactory>();
            return clientFactory is null
                ? new QdrantVectorStore(options, loggerFactory)
                : new QdrantVectorStore(clientFactory(sp), options, loggerFactory);
        });
        services.TryAddSingleton<VectorStore>(sp => sp.GetRequiredService<QdrantVectorStore>());
        return services;
    }
}
