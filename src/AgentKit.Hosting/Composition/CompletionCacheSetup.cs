using AgentKit.Agents;
using AgentKit.Cost.Caching;
using AgentKit.Hosting.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Composition;

/// <summary>Builds a chat model's <see cref="CompletionCache"/> from <c>AgentKit:Models:&lt;name&gt;:Cache</c>.</summary>
internal static class CompletionCacheSetup
{
    public static CompletionCache Create(IServiceProvider services, string modelName)
    {
        var options = services.GetRequiredService<IOptions<AgentKitOptions>>().Value;
        var settings = options.Models[modelName].Cache;
        var environment = services.GetRequiredService<IHostEnvironment>();
        var path = settings.Path is { } configured
            ? AgentKitPaths.Resolve(environment, configured)
            : Path.Combine(AgentKitPaths.Resolve(environment, options.Storage.Directory), "cache", $"{modelName}.db");
        var cacheOptions = new CompletionCacheOptions
        {
            Scope = settings.Scope,
            TimeToLive = settings.TimeToLive,
            MaxEntries = settings.MaxEntries,
            Semantic = settings.Semantic,
            SimilarityThreshold = settings.SimilarityThreshold,
            ResolveCaller = ResolveCaller,
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
        foreach (var tool in settings.SideEffectFreeTools)
        {
            cacheOptions.SideEffectFreeTools.Add(tool);
        }

        var embeddings = settings.Semantic
            ? services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(settings.EmbeddingModel ?? options.DefaultEmbeddingModel)
            : null;
        return CompletionCache.OpenSqlite(path, embeddings, cacheOptions, services.GetRequiredService<ILogger<CompletionCache>>());
    }

    // Inside an agent run the runtime knows the agent and its session, which a model cannot forge; a request's own
    // scope properties serve callers outside agents.
    private static CompletionCacheCaller ResolveCaller(ChatOptions? options)
    {
        var fromRequest = CompletionCacheOptions.DefaultCaller(options);
        return AgentRunContext.Current is { } run
            ? new CompletionCacheCaller(run.AgentName, run.SessionId)
            : fromRequest;
    }
}
