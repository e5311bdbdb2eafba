using AgentKit.Abstractions.Tools;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Memory;
using AgentKit.Memory.Agents;
using AgentKit.Memory.Reflection;
using AgentKit.Prompts;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentKit's long-term memory.</summary>
public static class MemoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AgentMemory"/> (singleton) with <see cref="MemoryOptions"/> validated at start, the
    /// prompt registry, the agent hook <see cref="MemoryAgentHook"/>, a <see cref="ReflectionScheduler"/> and the hosted service that runs due reflections (when
    /// <see cref="MemoryOptions.BackgroundReflection"/> is on). The memory uses the registered <see cref="VectorStore"/>,
    /// else a SQLite file at <see cref="MemoryOptions.DatabasePath"/>; the (keyed) <see cref="IChatClient"/> must be
    /// registered by the application. The embedding model is the keyed one when <see cref="MemoryOptions.EmbeddingGeneratorKey"/>
    /// is set, else the registered <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (with <c>AddAgentKit()</c>: the
    /// default embedding model), else AgentKit's default embedding model, all-MiniLM-L6-v2 (<see cref="MiniLMEmbeddingGenerator"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the settings; optional.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitMemory(this IServiceCollection services, Action<MemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MemoryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryOptions>, MemoryOptionsValidator>());
        services.AddAgentKitPrompts();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ReflectionScheduler(sp.GetRequiredService<IOptions<MemoryOptions>>().Value.ReflectionQueueCapacity));
        services.TryAddSingleton<OwnedDefaultEmbedder>();
        services.TryAddSingleton(sp => new OwnedMemoryStore(sp.GetRequiredService<IOptions<MemoryOptions>>().Value.DatabasePath, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<MemoryOptions>>().Value;
            var store = sp.GetService<VectorStore>() ?? sp.GetRequiredService<OwnedMemoryStore>().Store;
            var chat = settings.ChatClientKey is { } chatKey ? sp.GetRequiredKeyedService<IChatClient>(chatKey) : sp.GetRequiredService<IChatClient>();
            var embeddings = settings.EmbeddingGeneratorKey is { } embeddingKey
                ? sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(embeddingKey)
                : sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? sp.GetRequiredService<OwnedDefaultEmbedder>().Generator;
            return new AgentMemory(
                store,
                embeddings,
                chat,
                sp.GetRequiredService<IPromptRegistry>(),
                settings,
                sp.GetRequiredService<TimeProvider>(),
                settings.BackgroundReflection ? sp.GetRequiredService<ReflectionScheduler>() : null,
                sp.GetService<ILogger<AgentMemory>>());
        });
        services.TryAddSingleton(sp => new MemoryAgentHook(sp.GetRequiredService<AgentMemory>(), null, sp.GetService<ILogger<MemoryAgentHook>>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<IOptions<MemoryOptions>>().Value.BackgroundReflection
            ? new MemoryReflectionService(sp.GetRequiredService<AgentMemory>(), sp.GetRequiredService<ReflectionScheduler>(), sp.GetService<ILogger<MemoryReflectionService>>())
            : new IdleService());
        return services;
    }

    /// <summary>
    /// Registers the <c>remember</c>, <c>recall</c> and <c>forget</c> tools for agents (an agent gets them by naming
    /// them in its allowlist). Each call acts for the agent and session of the turn, as attached by the agent's
    /// <see cref="MemoryAgentHook"/>; an agent without the hook cannot use them. Call after <see cref="AddAgentKitMemory"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitMemoryTools(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton<IToolSource>(sp => new StaticToolSource(MemoryTools.CreateForAgents(sp.GetRequiredService<AgentMemory>())));
    }

    private sealed class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
    {
        public ValidateOptionsResult Validate(string? name, MemoryOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    // The SQLite store the memory opens itself when the application registers none; disposed with the container.
    private sealed class OwnedMemoryStore(string path, ILoggerFactory? loggerFactory) : IDisposable
    {
        private readonly Lazy<SqliteVectorStore> _store = new(() =>
        {
            // A configured data folder may not exist yet on first start (as the session store handles too).
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }

            return new SqliteVectorStore(path, loggerFactory: loggerFactory);
        });

        public VectorStore Store => _store.Value;

        public void Dispose()
        {
            if (_store.IsValueCreated)
            {
                _store.Value.Dispose();
            }
        }
    }

    // The default embedding model the memory creates itself when the application registers none; disposed with the container.
    private sealed class OwnedDefaultEmbedder : IDisposable
    {
        public MiniLMEmbeddingGenerator Generator { get; } = new();

        public void Dispose() => Generator.Dispose();
    }

    private sealed class IdleService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
