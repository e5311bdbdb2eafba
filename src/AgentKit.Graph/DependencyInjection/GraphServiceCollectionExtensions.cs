using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentKit's knowledge graph.</summary>
public static class GraphServiceCollectionExtensions
{
    /// <summary>
    /// Registers the knowledge graph with <see cref="GraphOptions"/> validated at start: the <see cref="IGraphStore"/>
    /// (<see cref="SqliteGraphStore"/>, unless one is registered already, such as the PostgreSQL graph store of
    /// AgentKit.Storage.PostgreSql), <see cref="GraphExtractor"/>, <see cref="EntityResolver"/>,
    /// <see cref="GraphIndexer"/> as <see cref="IGraphEvidenceSink"/> and <see cref="GraphLocalSearch"/> as
    /// <see cref="IGraphContextSource"/> — the contracts retrieval and memory look for — and
    /// <see cref="CommunitySummarizer"/> and <see cref="GraphGlobalSearch"/> (also as <see cref="IGraphGlobalSearch"/>, the
    /// answer mode retrieval's answerer looks for); with
    /// <see cref="CommunitySummaryOptions.RefreshAfterUpdates"/>, a hosted service refreshes the community summaries at
    /// start and after graph updates. The chat client and embedding generator come from the container (keyed when the
    /// options name a key).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>AgentKit:Graph</c> section to bind; none when null.</param>
    /// <param name="configure">Adjusts the settings after binding; optional.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitGraph(this IServiceCollection services, IConfiguration? configuration = null, Action<GraphOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GraphOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphOptions>, GraphOptionsValidator>());
        services.AddAgentKitPrompts();
        services.TryAddSingleton<IGraphStore>(sp => Settings(sp).Store.Provider == GraphStoreProvider.PostgreSql
            ? throw new GraphException($"{GraphOptions.SectionName}:Store:Provider is PostgreSql but no PostgreSQL graph store is registered: call AddAgentKitPostgreSqlStorage and AddAgentKitPostgreSqlGraphStore (AgentKit.Storage.PostgreSql) before AddAgentKitGraph, or use AddAgentKit(), which does.")
            : new SqliteGraphStore(Settings(sp).Store));
        services.TryAddSingleton(sp =>
        {
            var settings = Settings(sp);
            return new GraphExtractor(Chat(sp), sp.GetRequiredService<IPromptRegistry>(), settings.Extraction, settings.Store, sp.GetService<ILogger<GraphExtractor>>());
        });
        services.TryAddSingleton(sp => new EntityResolver(sp.GetRequiredService<IGraphStore>(), Embedder(sp), Settings(sp).Resolution, sp.GetService<ILogger<EntityResolver>>()));
        services.TryAddSingleton(sp => new GraphIndexer(
            sp.GetRequiredService<IGraphStore>(), sp.GetRequiredService<GraphExtractor>(), sp.GetRequiredService<EntityResolver>(), Settings(sp).Extraction, sp.GetService<ILogger<GraphIndexer>>()));
        services.TryAddSingleton<IGraphEvidenceSink>(sp => sp.GetRequiredService<GraphIndexer>());
        services.TryAddSingleton(sp => new GraphLocalSearch(sp.GetRequiredService<IGraphStore>(), Embedder(sp), Settings(sp).Search));
        services.TryAddSingleton<IGraphContextSource>(sp => sp.GetRequiredService<GraphLocalSearch>());
        services.TryAddSingleton(sp => new CommunitySummarizer(
            sp.GetRequiredService<IGraphStore>(), Chat(sp), sp.GetRequiredService<IPromptRegistry>(), Embedder(sp), Settings(sp).Communities, sp.GetService<TimeProvider>(), sp.GetService<ILogger<CommunitySummarizer>>()));
        services.TryAddSingleton(sp => new GraphGlobalSearch(
            sp.GetRequiredService<IGraphStore>(), Chat(sp), sp.GetRequiredService<IPromptRegistry>(), Embedder(sp), Settings(sp).GlobalSearch, sp.GetService<ILogger<GraphGlobalSearch>>()));
        services.TryAddSingleton<IGraphGlobalSearch>(sp => sp.GetRequiredService<GraphGlobalSearch>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CommunityRefreshService>());
        return services;
    }

    private static IChatClient Chat(IServiceProvider services) =>
        Settings(services).ChatClientKey is { } key ? services.GetRequiredKeyedService<IChatClient>(key) : services.GetRequiredService<IChatClient>();

    private static GraphOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<GraphOptions>>().Value;

    private static IEmbeddingGenerator<string, Embedding<float>> Embedder(IServiceProvider services) =>
        Settings(services).EmbeddingGeneratorKey is { } key
            ? services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(key)
            : services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

    private sealed class GraphOptionsValidator : IValidateOptions<GraphOptions>
    {
        public ValidateOptionsResult Validate(string? name, GraphOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
