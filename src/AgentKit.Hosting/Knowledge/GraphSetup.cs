using AgentKit.Graph;
using AgentKit.Hosting.Composition;
using AgentKit.Hosting.Configuration;
using AgentKit.Storage.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Knowledge;

/// <summary>
/// What <c>AddAgentKit()</c> registers for the <c>AgentKit:Graph</c> section, when there is one: the knowledge graph
/// (<c>AddAgentKitGraph</c>) in the vector store's SQLite file unless <c>Store:Path</c> names another (relative paths
/// resolve against <c>AgentKit:Storage:Directory</c>), or in PostgreSQL (<c>AddAgentKitPostgreSqlGraphStore</c>, the
/// runtime store's database and schema) when <c>Store:Provider</c> says so or, unset, when the runtime store
/// (<c>AgentKit:Storage:Provider</c>) is PostgreSQL; with its models and backend checked at start.
/// </summary>
internal static class GraphSetup
{
    public const string Key = $"{AgentKitOptions.SectionName}:Graph";

    public static void Add(IHostApplicationBuilder builder, IConfigurationSection section, AgentKitOptions snapshot)
    {
        var graph = section.GetSection("Graph");
        if (!graph.Exists())
        {
            return;
        }

        var storage = AgentKitPaths.Resolve(builder.Environment.ContentRootPath, snapshot.Storage.Directory);
        var defaultFile = snapshot.VectorStore.Kind == VectorStoreKind.Sqlite ? snapshot.VectorStore.Path : "graph.db";
        var runtime = snapshot.Storage.Provider == StorageProvider.PostgreSql ? GraphStoreProvider.PostgreSql : GraphStoreProvider.Sqlite;
        var provider = Enum.TryParse<GraphStoreProvider>(graph["Store:Provider"], ignoreCase: true, out var named) ? named : runtime;
        if (provider == GraphStoreProvider.PostgreSql && runtime == GraphStoreProvider.PostgreSql)
        {
            // Registered first: AddAgentKitGraph adds its SQLite store only when no graph store is registered.
            builder.Services.AddAgentKitPostgreSqlGraphStore();
        }

        builder.Services.AddAgentKitGraph(graph);
        builder.Services.PostConfigure<GraphOptions>(o =>
        {
            o.Store.Provider ??= runtime;
            o.Store.Path = Path.Combine(storage, string.IsNullOrWhiteSpace(o.Store.Path) ? defaultFile : o.Store.Path);
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphOptions>, GraphModelsValidator>());
    }

    /// <summary>
    /// Checks that <c>AgentKit:Graph</c> names a chat model and an embedding model that exist, each of the right kind,
    /// and that a graph on PostgreSQL has the runtime store's database to live in.
    /// </summary>
    private sealed class GraphModelsValidator(IOptions<AgentKitOptions> agentKit) : IValidateOptions<GraphOptions>
    {
        public ValidateOptionsResult Validate(string? name, GraphOptions options)
        {
            var models = agentKit.Value;
            var failures = new List<string>();
            ModelChecks.CheckUse(models, options.ChatClientKey ?? models.DefaultChatModel, ModelKind.Chat, $"{Key}:{nameof(options.ChatClientKey)}", failures);
            ModelChecks.CheckUse(models, options.EmbeddingGeneratorKey ?? models.DefaultEmbeddingModel, ModelKind.Embedding, $"{Key}:{nameof(options.EmbeddingGeneratorKey)}", failures);
            if (options.Store.Provider == GraphStoreProvider.PostgreSql && models.Storage.Provider != StorageProvider.PostgreSql)
            {
                failures.Add($"{Key}:Store:Provider: PostgreSql keeps the graph in the runtime store's database, so AgentKit:Storage:Provider must be PostgreSql too (it is {models.Storage.Provider}); or set Store:Provider to Sqlite.");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
