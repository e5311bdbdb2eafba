using System.ClientModel;
using System.ClientModel.Primitives;
using AgentKit.Abstractions.Prompts;
using AgentKit.Hosting.Admission;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Hosting;
using AgentKit.Hosting.Composition;
using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Health;
using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Tools.Selection;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Rag.Embeddings;
using AgentKit.Hosting.Models;
using AgentKit.Prompts;
using AgentKit.Storage.PostgreSql;
using AgentKit.LlamaCpp.Batching;
using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Generation;
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
    /// <summary>The OpenTelemetry source and meter name of AgentKit's model calls (<see cref="AgentKitTelemetry.ModelsSourceName"/>).</summary>
    public const string TelemetrySourceName = AgentKitTelemetry.ModelsSourceName;

    /// <summary>
    /// Binds the <c>AgentKit</c> configuration section (validated when the host starts), registers every configured
    /// model as a keyed <see cref="IChatClient"/> or <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> under its
    /// name (the defaults also unkeyed), warms local models up in the background and adds health checks
    /// (<c>agentkit-models</c>, <c>agentkit-storage</c>), the vector store (<c>AgentKit:VectorStore</c>) and the
    /// knowledge bases (<c>AgentKit:Knowledge</c>, ingested in the background, health <c>agentkit-knowledge</c>) and,
    /// when configured, the knowledge graph (<c>AgentKit:Graph</c>).
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

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentKitOptions>, CompositionValidator>());
        builder.Services.TryAddSingleton<ModelCatalog>();

        // Before the warm-up: a misnamed tool or a broken MCP server stops start-up without waiting for a model load.
        builder.Services.AddHostedService<AgentToolsStartupCheck>();
        builder.Services.AddHostedService<ModelWarmupService>();
        builder.Services.AddHealthChecks()
            .AddCheck<ModelsHealthCheck>("agentkit-models")
            .AddCheck<StorageHealthCheck>("agentkit-storage");

        foreach (var (name, model) in snapshot.Models)
        {
            if (model.Kind == ModelKind.Chat)
            {
                // One engine client per model, wrapped twice: with function invocation for direct use, and
                // without it for agents, whose runtime brings its own tool loop.
                if (model.Provider == ModelProvider.Llama)
                {
                    // Shared by both pipelines of the model, and disposed by the container.
                    builder.Services.AddKeyedSingleton(AdmissionKey(name), (sp, _) => new ModelAdmission(name, CreateAdmissionOptions(sp.GetRequiredService<IOptions<AgentKitOptions>>().Value.Models[name])));
                }

                builder.Services.AddKeyedSingleton(EngineKey(name), (sp, _) => CreateInnerChatClient(sp, name));
                if (model.Cache.Enabled)
                {
                    // One cache per model, shared by its two pipelines; disposed by the container.
                    builder.Services.AddKeyedSingleton(CacheKey(name), (sp, _) => CompletionCacheSetup.Create(sp, name));
                }

                builder.Services.AddKeyedSingleton(name, (sp, _) => BuildChatClient(sp, name, functionInvocation: true));
                builder.Services.AddKeyedSingleton(ModelKeys.ForAgents(name), (sp, _) => BuildChatClient(sp, name, functionInvocation: false));
            }
            else
            {
                builder.Services.AddKeyedSingleton(name, (sp, _) => CreateEmbeddingGenerator(sp, name));
            }
        }

        if (snapshot.DefaultChatModel is { } chat)
        {
            builder.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IChatClient>(chat));

            // Agents without a model key (defined in code) get the default model's agent pipeline, not the
            // function-invoking unkeyed client.
            builder.Services.TryAddKeyedSingleton(AgentChatClients.DefaultKey, (sp, _) => sp.GetRequiredKeyedService<IChatClient>(ModelKeys.ForAgents(chat)));
        }

        if (snapshot.DefaultEmbeddingModel is { } embedding)
        {
            builder.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(embedding));
        }

        AddPromptsAndAgents(builder, snapshot);
        AgentKit.Hosting.Knowledge.KnowledgeSetup.Add(builder, section, snapshot);
        AgentKit.Hosting.Knowledge.GraphSetup.Add(builder, section, snapshot);
        builder.Services.AddAgentKitPlanning(builder.Configuration);
        ConfiguredTools.Add(builder, snapshot);
        TelemetrySetup.Add(builder, snapshot.Telemetry);
        return builder;
    }

    private static void AddPromptsAndAgents(IHostApplicationBuilder builder, AgentKitOptions options)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        var prompts = AgentKitPaths.Resolve(contentRoot, options.Prompts.Directory);
        builder.Services.AddAgentKitPrompts(p =>
        {
            // Without a prompts folder in the content root, the one copied beside the application serves.
            p.RootDirectory = Directory.Exists(prompts) ? prompts : PromptRegistry.FindDefaultDirectory() ?? prompts;
            p.WatchForChanges = options.Prompts.Watch;
        });

        var storage = AgentKitPaths.Resolve(contentRoot, options.Storage.Directory);
        if (options.Storage.Provider == StorageProvider.PostgreSql)
        {
            // Registered first: AddAgentKitAgents adds its SQLite store only when no session store is registered.
            var postgreSql = options.Storage.PostgreSql;
            builder.Services.AddAgentKitPostgreSqlStorage(o =>
            {
                o.ConnectionString = postgreSql.ConnectionString;
                o.Schema = postgreSql.Schema;
                o.CommandTimeout = postgreSql.CommandTimeout;
                o.MaxMessagesPerSession = postgreSql.MaxMessagesPerSession;
                o.MaxConcurrentTurns = postgreSql.MaxConcurrentTurns;
            });
            builder.Services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("agentkit-postgresql");
        }

        builder.Services.AddAgentKitAgents(Path.Combine(storage, "sessions.db"));
        builder.Services.AddAgentKitToolSelection(ModelKeys.DefaultEmbedding);
        builder.Services.AddAgentKitPendingApprovals();
        builder.Services.AddOptions<DurableRunOptions>().Bind(builder.Configuration.GetSection($"{AgentKitOptions.SectionName}:Runs")).ValidateOnStart();
        builder.Services.AddHostedService<AgentKit.Hosting.Runs.RunResumeService>();
        foreach (var (name, agent) in options.Agents)
        {
            // Built when first resolved, after start-up validation has named any bad value.
            builder.Services.AddSingleton(sp => ConfiguredAgents.Create(sp, name, agent, sp.GetRequiredService<IOptions<AgentKitOptions>>().Value));
        }
    }

    private static string EngineKey(string modelName) => $"{modelName}#engine";

    private static string AdmissionKey(string modelName) => $"{modelName}#admission";

    private static string CacheKey(string modelName) => $"{modelName}#cache";

    private static void ApplyDefaults(AgentKitOptions options)
    {
        options.DefaultChatModel ??= SingleOfKind(options, ModelKind.Chat);

        // A real embedding model by default: MiniLM, offline, unless any embedding model is configured.
        if (options.DefaultEmbeddingModel is null && !options.Models.Values.Any(m => m.Kind == ModelKind.Embedding))
        {
            options.Models.TryAdd(ModelKeys.DefaultEmbedding, new ModelOptions { Provider = ModelProvider.MiniLM, Kind = ModelKind.Embedding });
        }

        options.DefaultEmbeddingModel ??= SingleOfKind(options, ModelKind.Embedding);
    }

    private static string? SingleOfKind(AgentKitOptions options, ModelKind kind)
    {
        var names = options.Models.Where(m => m.Value.Kind == kind).Select(m => m.Key).ToList();
        return names.Count == 1 ? names[0] : null;
    }

    private static IChatClient CreateInnerChatClient(IServiceProvider services, string name)
    {
        var model = services.GetRequiredService<IOptions<AgentKitOptions>>().Value.Models[name];
        return model.Provider switch
        {
            ModelProvider.OpenAI => new RemoteModelChatClient(CreateOpenAIClient(model).GetChatClient(model.Model).AsIChatClient(), name, model.Endpoint!, model.Timeout),
            // Bounded in front of the context pool, so requests beyond its contexts queue within limits or get a
            // typed refusal instead of waiting without end.
            _ => new ModelAdmissionChatClient(
                new DeferredLlamaChatClient(
                    services.GetRequiredService<ModelCatalog>().GetLocal(name),
                    CreateLlamaChatOptions(name, model) with { ToolPrompts = services.GetService<IToolPromptSource>() },
                    services.GetRequiredService<ILoggerFactory>(),
                    model.Speculation is { Enabled: true, DraftModel: { } draft } ? services.GetRequiredService<ModelCatalog>().GetLocal(draft) : null),
                services.GetRequiredKeyedService<ModelAdmission>(AdmissionKey(name))),
        };
    }

    private static IChatClient BuildChatClient(IServiceProvider services, string name, bool functionInvocation)
    {
        var options = services.GetRequiredService<IOptions<AgentKitOptions>>().Value;
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();

        // The layers share the engine client; disposing a layer must not dispose the engine under the other one.
        var inner = new NonDisposingChatClient(services.GetRequiredKeyedService<IChatClient>(EngineKey(name)));
        var pipeline = options.ChatPipeline;
        var builder = new ChatClientBuilder(inner);
        if (functionInvocation && pipeline.FunctionInvocation)
        {
            builder.UseFunctionInvocation(loggerFactory, f => f.MaximumIterationsPerRequest = pipeline.MaxFunctionIterations);
        }

        // Inside function invocation, so every model round trip is looked up on its own and a cached tool call is
        // executed again rather than its effect skipped; outside the application's layers, so a hit costs nothing below.
        if (options.Models[name].Cache.Enabled)
        {
            builder.UseCompletionCache(services.GetRequiredKeyedService<AgentKit.Cost.Caching.CompletionCache>(CacheKey(name)));
        }

        // The application's layers (ConfigureChatPipeline) sit inside function invocation, so they see every model
        // round trip, and outside the cache, telemetry and logging layers of the ChatPipeline keys.
        foreach (var configuration in services.GetServices<ChatPipelineConfiguration>())
        {
            if (string.Equals(configuration.ModelName, name, StringComparison.OrdinalIgnoreCase))
            {
                configuration.Configure(builder);
            }
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
            var sensitive = pipeline.TelemetrySensitiveData || options.Telemetry.EnableSensitiveData;
            builder.UseOpenTelemetry(loggerFactory, TelemetrySourceName, t => t.EnableSensitiveData = sensitive);
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
            ModelProvider.MiniLM => new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Threads = model.Threads }),
            ModelProvider.ArcticEmbedXs => new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Model = BuiltInEmbeddingModel.ArcticEmbedXs, Threads = model.Threads }),
            ModelProvider.Lexical => new HashingEmbeddingGenerator(),
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

        var speculation = model.Speculation.Enabled
            ? new LlamaSpeculationOptions
            {
                PromptLookup = model.Speculation.PromptLookup,
                MaxDraftTokens = model.Speculation.MaxDraftTokens,
                AdaptiveDraftLength = model.Speculation.AdaptiveDraftLength,
                LookupMinNgram = model.Speculation.LookupMinNgram,
                LookupMaxNgram = model.Speculation.LookupMaxNgram,
            }
            : null;
        if (model.Batching && model.Kind == ModelKind.Chat)
        {
            var batching = new LlamaBatchingOptions();
            return defaults with
            {
                ModelId = name,
                Context = context,
                MaxContexts = 1,
                Speculation = speculation,
                Batching = batching with
                {
                    MaxSequences = model.MaxSequences ?? batching.MaxSequences,
                    ContextSize = model.ContextSize ?? batching.ContextSize,
                    MaxQueuedRequests = model.MaxQueuedRequests ?? new ModelAdmissionOptions().MaxQueuedRequests,
                    PrefillChunkTokens = model.PrefillChunkTokens ?? batching.PrefillChunkTokens,
                },
            };
        }

        return defaults with { ModelId = name, Context = context, MaxContexts = model.MaxContexts ?? defaults.MaxContexts, Speculation = speculation };
    }

    private static ModelAdmissionOptions CreateAdmissionOptions(ModelOptions model)
    {
        var defaults = new ModelAdmissionOptions();
        return new ModelAdmissionOptions
        {
            // With batching, the requests the scheduler decodes together; otherwise one per pooled context.
            Capacity = model.Batching
                ? model.MaxSequences ?? new LlamaBatchingOptions().MaxSequences
                : model.MaxContexts ?? new LlamaChatClientOptions().MaxContexts,
            MaxQueuedRequests = model.MaxQueuedRequests ?? defaults.MaxQueuedRequests,
            QueueTimeout = model.QueueTimeout ?? defaults.QueueTimeout,
        };
    }

    private static OpenAIClient CreateOpenAIClient(ModelOptions model) =>
        new(new ApiKeyCredential(model.ApiKey!), new OpenAIClientOptions
        {
            Endpoint = model.Endpoint,
            NetworkTimeout = model.Timeout,
            RetryPolicy = new ClientRetryPolicy(model.MaxRetries),
        });
}
