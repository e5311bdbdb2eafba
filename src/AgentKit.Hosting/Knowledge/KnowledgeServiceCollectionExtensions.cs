using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Hosting.Knowledge;
using AgentKit.Prompts;
using AgentKit.Rag.Knowledge;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers named knowledge bases.</summary>
public static class KnowledgeServiceCollectionExtensions
{
    /// <summary>The health check reporting every knowledge base's ingestion.</summary>
    public const string HealthCheckName = "agentkit-knowledge";

    /// <summary>
    /// Registers a <see cref="KnowledgeBase"/> as a keyed singleton under <paramref name="name"/>, with options
    /// validated at start (failures name <c>AgentKit:Knowledge:&lt;name&gt;:…</c>), background ingestion when the
    /// host starts (and every <see cref="KnowledgeBaseOptions.RefreshInterval"/>), and the
    /// <c>agentkit-knowledge</c> health check. Its embedding model, vector store and chat model come from the
    /// container: keyed by the names in the options, or the unkeyed ones.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The knowledge base's name.</param>
    /// <param name="configure">Sets its options.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException">A knowledge base of that name is already registered.</exception>
    public static IServiceCollection AddAgentKitKnowledge(this IServiceCollection services, string name, Action<KnowledgeBaseOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddKnowledgeBase(services, name).Configure(configure);
        return services;
    }

    internal static OptionsBuilder<KnowledgeBaseOptions> AddKnowledgeBase(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (services.Any(d => d.ImplementationInstance is KnowledgeBaseName known && string.Equals(known.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A knowledge base named '{name}' is already registered (AgentKit:Knowledge:{name} or AddAgentKitKnowledge).");
        }

        services.AddSingleton(new KnowledgeBaseName(name));
        services.AddKeyedSingleton(name, (sp, _) => Create(sp, name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KnowledgeBaseOptions>, KnowledgeBaseOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KnowledgeIngestionService>());
        if (!services.Any(d => d.ServiceType == typeof(KnowledgeHealthCheck)))
        {
            services.AddSingleton<KnowledgeHealthCheck>();
            services.AddHealthChecks().AddCheck<KnowledgeHealthCheck>(HealthCheckName);
        }

        return services.AddOptions<KnowledgeBaseOptions>(name).ValidateOnStart();
    }

    private static KnowledgeBase Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<KnowledgeBaseOptions>>().Get(name);
        var embedder = options.EmbeddingModel is { } model
            ? services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(model)
            : services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var store = options.VectorStore is { } key ? services.GetRequiredKeyedService<VectorStore>(key) : services.GetRequiredService<VectorStore>();

        // Any search may ask for re-ranking when the embedding model can score tokens; it is the default where chunk codes are
        // kept (KnowledgeBase.ReranksByDefault), and Rerank (checked at start) sets it.
        var scorer = embedder.GetService<IRelevanceScorer>();
        return new KnowledgeBase(
            name,
            options,
            store,
            embedder,
            services.GetService<IHostEnvironment>()?.ContentRootPath,
            services.GetService<ILoggerFactory>(),
            () => options.ChatModel is { } chat ? services.GetRequiredKeyedService<IChatClient>(chat) : services.GetRequiredService<IChatClient>(),
            services.GetService<IPromptRegistry>(),
            options.UseGraph ? services.GetService<IGraphEvidenceSink>() : null,
            options.UseGraph ? services.GetService<IGraphContextSource>() : null,
            services.GetService<IGraphGlobalSearch>(),
            scorer is null ? null : new RelevanceScorerReranker(scorer));
    }
}
