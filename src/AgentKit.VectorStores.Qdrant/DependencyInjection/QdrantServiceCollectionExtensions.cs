using AgentKit.VectorStores.Qdrant;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="QdrantVectorStore"/>.</summary>
public static class QdrantServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the store uses (configure it further with <c>AddHttpClient(name)</c>).</summary>
    public const string HttpClientName = "AgentKit.Qdrant";

    /// <summary>
    /// Registers a singleton <see cref="QdrantVectorStore"/>, also as <see cref="VectorStore"/>, with options
    /// validated at start-up (failures name the key, e.g. <c>Qdrant:Endpoint</c>) and a named
    /// <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>. When
    /// <see cref="QdrantVectorStoreOptions.EmbeddingGenerator"/> is not set, an <see cref="IEmbeddingGenerator"/>
    /// registered in the container becomes the store's (as Microsoft's connectors do).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="QdrantVectorStoreOptions"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddQdrantVectorStore(this IServiceCollection services, Action<QdrantVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<QdrantVectorStoreOptions>().Configure(configure)
            .PostConfigure<IServiceProvider>((options, sp) => options.EmbeddingGenerator ??= sp.GetService<IEmbeddingGenerator>())
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QdrantVectorStoreOptions>, QdrantVectorStoreOptionsValidator>());

        // The store's own pipeline bounds each operation (Timeout, retries included), so HttpClient's must not cut in first.
        services.AddHttpClient(HttpClientName).ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp => new QdrantVectorStore(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<QdrantVectorStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<VectorStore>(sp => sp.GetRequiredService<QdrantVectorStore>());
        return services;
    }
}
