using System.ClientModel;
using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Health;
using AgentKit.Hosting.Models;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds AgentKit to a host.</summary>
public static class AgentKitHostingExtensions
{
    /// <summary>The OpenTelemetry source name of AgentKit's model calls.</summary>
    public const string TelemetrySourceName = "AgentKit";

    /// <summary>
    /// Binds the <c>AgentKit</c> configuration section (validated when the host starts), registers every configured
    /// model as a keyed <see cref="IChatClient"/> or <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> under its
    /// name (the defaults also unkeyed), warms local models up in the background and adds health checks
    /// (<c>agentkit-models</c>, <c>agentkit-storage</c>).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Changes applied after configuration binding.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddAgentKit(this IHostApplicationBuilder builder, Action<AgentKitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(AgentKitOptions.SectionName);

        // Keyed services are registered now, so the model names are read now; everything else comes from IOptions.
        var snapshot = new AgentKitOptions();
        section.Bind(snapshot);
        configure?.Invoke(snapshot);
        ApplyDefaults(snapshot);

        var options = builder.Services.AddOptions<AgentKitOptions>().Bind(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure(ApplyDefaults).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentKitOptions>, AgentKitOptionsValidator>());

        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.AddHostedService<ModelWarmupService>();
        builder.Services.AddHealthChecks()
            .AddCheck<ModelsHealthCheck>("agentkit-models")
            .AddCheck<StorageHealthCheck>("agentkit-storage");

        foreach (var (name, model) in snapshot.Models)
        {
            if (model.Kind == ModelKind.Chat)
            {
                builder.Services.AddKeyedSingleton(name, (sp, _) => BuildChatClient(sp, name));
            }
            else
            {
                builder.Services.AddKeyedSingleton(name, (sp, _) => CreateEmbeddingGenerator(sp, name));
            }
        }

        if (snapshot.DefaultChatModel is { } chat)
        {
            builder.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IChatClient>(chat));
        }

        if (snapshot.DefaultEmbeddingModel is { } embedding)
        {
            builder.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(embedding));
        }

        return builder;
    }

    private static void ApplyDefaults(AgentKitOptions options)
    {
        options.DefaultChatModel ??= SingleOfKind(options, ModelKind.Chat);
        options.DefaultEmbeddingModel ??= SingleOfKind(options, ModelKind.Embedding);
    }

    private static string? SingleOfKind(AgentKitOptions options, ModelKind kind)
    {
        var names = options.Models.Where(m => m.Value.Kind == kind).Select(m => m.Key).ToList();
        return names.Count == 1 ? names[0] : null;
    }

    private static IChatClient BuildChatClient(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptions<AgentKitOptions>>().Value;
        var model = options.Models[name];
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        IChatClient inner = model.Provider switch
        {
            ModelProvider.OpenAI => CreateOpenAIClient(model).GetChatClient(model.Model).AsIChatClient(),
            _ => new DeferredLlamaChatClient(services.GetRequiredService<ModelCatalog>().GetLocal(name), CreateLlamaChatOptions(name, model), loggerFactory),
        };

        var pipeline = options.ChatPipeline;
        var builder = new ChatClientBuilder(inner);
        if (pipeline.FunctionInvocation)
        {
            builder.UseFunctionInvocation(loggerFactory, f => f.MaximumIterationsPerRequest = pipeline.MaxFunctionIterations);
        }

        if (pipeline.ResponseCache)
        {
            var cache = new MemoryDistributedCache(Options.Options.Create(new MemoryDistributedCacheOptions
            {
                SizeLimit = (long)pipeline.ResponseCacheMegabytes << 20,
            }));
            builder.UseDistributedCache(cache);
        }

        if (pipeline.Telemetry)
        {
            builder.UseOpenTelemetry(loggerFactory, TelemetrySourceName, t => t.EnableSensitiveData = pipeline.TelemetrySensitiveData);
        }

        if (pipeline.Logging)
        {
            builder.UseLogging(loggerFactory);
        }

        return builder.Build(services);
    }

    private static IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(IServiceProvider services, string name)
    {
        var model = services.GetRequiredService<IOptions<AgentKitOptions>>().Value.Models[name];
        return model.Provider switch
        {
            ModelProvider.OpenAI => CreateOpenAIClient(model).GetEmbeddingClient(model.Model).AsIEmbeddingGenerator(),
            _ => new DeferredLlamaEmbeddingGenerator(
                services.GetRequiredService<ModelCatalog>().GetLocal(name),
                new LlamaEmbeddingGeneratorOptions { ModelId = name }),
        };
    }

    private static LlamaChatClientOptions CreateLlamaChatOptions(string name, ModelOptions model)
    {
        var defaults = new LlamaChatClientOptions();
        var context = defaults.Context;
        if (model.ContextSize is { } size)
        {
            context = context with { ContextSize = size };
        }

        if (model.Threads is { } threads)
        {
            context = context with { Threads = threads, BatchThreads = threads };
        }

        if (model.MaxSequences is { } sequences)
        {
            context = context with { MaxSequences = sequences };
        }

        return defaults with { ModelId = name, Context = context, MaxContexts = model.MaxContexts ?? defaults.MaxContexts };
    }

    private static OpenAIClient CreateOpenAIClient(ModelOptions model) =>
        new(new ApiKeyCredential(model.ApiKey!), new OpenAIClientOptions { Endpoint = model.Endpoint });
}
