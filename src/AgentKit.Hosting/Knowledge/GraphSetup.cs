using AgentKit.Graph;
using AgentKit.Hosting.Composition;
using AgentKit.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Knowledge;

/// <summary>
/// What <c>AddAgentKit()</c> registers for the <c>AgentKit:Graph</c> section, when there is one: the knowledge graph
/// (<c>AddAgentKitGraph</c>) in the vector store's SQLite file unless <c>Store:Path</c> names another (relative paths
/// resolve against <c>AgentKit:Storage:Directory</c>), with its models checked at start.
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
        builder.Services.AddAgentKitGraph(graph);
        builder.Services.PostConfigure<GraphOptions>(o =>
            o.Store.Path = Path.Combine(storage, string.IsNullOrWhiteSpace(o.Store.Path) ? defaultFile : o.Store.Path));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphOptions>, GraphModelsValidator>());
    }

    /// <summary>Checks that <c>AgentKit:Graph</c> names a chat model and an embedding model that exist, each of the right kind.</summary>
    private sealed class GraphModelsValidator(IOptions<AgentKitOptions> agentKit) : IValidateOptions<GraphOptions>
    {
        public ValidateOptionsResult Validate(string? name, GraphOptions options)
        {
            var models = agentKit.Value;
            var failures = new List<string>();
            ModelChecks.CheckUse(models, options.ChatClientKey ?? models.DefaultChatModel, ModelKind.Chat, $"{Key}:{nameof(options.ChatClientKey)}", failures);
            ModelChecks.CheckUse(models, options.EmbeddingGeneratorKey ?? models.DefaultEmbeddingModel, ModelKind.Embedding, $"{Key}:{nameof(options.EmbeddingGeneratorKey)}", failures);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
