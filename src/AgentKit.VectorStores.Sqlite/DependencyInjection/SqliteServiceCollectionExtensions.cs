using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="SqliteVectorStore"/>.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="SqliteVectorStore"/> on the file at <paramref name="path"/>, also as
    /// <see cref="VectorStore"/>. The file (and its folder) is created when the store is first resolved; the container
    /// disposes the store.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="path">The database file.</param>
    /// <param name="options">Store options; defaults when null.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSqliteVectorStore(this IServiceCollection services, string path, SqliteVectorStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        services.TryAddSingleton(sp => Create(sp, path, options));
        services.TryAddSingleton<VectorStore>(sp => sp.GetRequiredService<SqliteVectorStore>());
        return services;
    }

    /// <summary>
    /// Registers a keyed singleton <see cref="SqliteVectorStore"/> on the file at <paramref name="path"/>, also as a
    /// keyed <see cref="VectorStore"/> under the same key, so that one application can keep several store files.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="path">The database file.</param>
    /// <param name="options">Store options; defaults when null.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddKeyedSqliteVectorStore(this IServiceCollection services, object? serviceKey, string path, SqliteVectorStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        services.TryAddKeyedSingleton(serviceKey, (sp, _) => Create(sp, path, options));
        services.TryAddKeyedSingleton<VectorStore>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<SqliteVectorStore>(key));
        return services;
    }

    private static SqliteVectorStore Create(IServiceProvider services, string path, SqliteVectorStoreOptions? options)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);

        // As Microsoft's connectors do: without a generator in the options, the container's embeds string vectors.
        if (options?.EmbeddingGenerator is null
            && (services.GetService<Microsoft.Extensions.AI.IEmbeddingGenerator>() ?? services.GetService<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>()) is { } generator)
        {
            options ??= new SqliteVectorStoreOptions();
            options.EmbeddingGenerator = generator;
        }

        return new SqliteVectorStore(full, options, services.GetService<ILoggerFactory>());
    }
}
