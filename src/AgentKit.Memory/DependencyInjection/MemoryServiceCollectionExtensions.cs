using AgentKit.Abstractions.Graph;
using AgentKit.Abstractions.Tools;
using AgentKit.Memory;
using AgentKit.Memory.Agents;
using AgentKit.Memory.Reflection;
using AgentKit.Prompts;
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
    /// <see cref="MemoryOptions.BackgroundReflection"/> is on). The application chooses the store and the models: the
    /// memory uses the (keyed) <see cref="VectorStore"/>, the (keyed) <see cref="IChatClient"/> and the (keyed)
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (<c>AddAgentKit()</c> registers all three from its
    /// configuration: the <c>AgentKit:VectorStore</c> section, the default models). A missing one fails validation at
    /// start, naming it.
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryOptions>, MemoryServicesValidator>());
        services.AddAgentKitPrompts();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ReflectionScheduler(sp.GetRequiredService<IOptions<MemoryOptions>>().Value.ReflectionQueueCapacity));
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<MemoryOptions>>().Value;
            var chat = settings.ChatClientKey is { } chatKey ? sp.GetRequiredKeyedService<IChatClient>(chatKey) : sp.GetRequiredService<IChatClient>();
            var embeddings = settings.EmbeddingGeneratorKey is { } embeddingKey
                ? sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(embeddingKey)
                : sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            return new AgentMemory(
                settings.VectorStoreKey is { } storeKey ? sp.GetRequiredKeyedService<VectorStore>(storeKey) : sp.GetRequiredService<VectorStore>(),
                embeddings,
                chat,
                sp.GetRequiredService<IPromptRegistry>(),
                settings,
                sp.GetRequiredService<TimeProvider>(),
                settings.BackgroundReflection ? sp.GetRequiredService<ReflectionScheduler>() : null,
                sp.GetService<ILogger<AgentMemory>>(),
                settings.UseGraph ? sp.GetService<IGraphContextSource>() : null,
                settings.UseGraph ? sp.GetService<IGraphEvidenceSink>() : null);
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

    // What AddAgentKitMemory takes from the container, checked with the options so a missing service is named at start
    // rather than surfacing as a resolution error at the first turn.
    private sealed class MemoryServicesValidator(IServiceProvider services) : IValidateOptions<MemoryOptions>
    {
        public ValidateOptionsResult Validate(string? name, MemoryOptions options)
        {
            if (services.GetService<IServiceProviderIsService>() is not IServiceProviderIsKeyedService registered)
            {
                return ValidateOptionsResult.Skip;
            }

            List<string> failures = [];
            Check(registered, typeof(VectorStore), "VectorStore", options.VectorStoreKey, nameof(MemoryOptions.VectorStoreKey), failures);
            Check(registered, typeof(IChatClient), "IChatClient", options.ChatClientKey, nameof(MemoryOptions.ChatClientKey), failures);
            Check(registered, typeof(IEmbeddingGenerator<string, Embedding<float>>), "IEmbeddingGenerator<string, Embedding<float>>", options.EmbeddingGeneratorKey, nameof(MemoryOptions.EmbeddingGeneratorKey), failures);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private static void Check(IServiceProviderIsKeyedService registered, Type service, string serviceName, string? key, string option, List<string> failures)
        {
            if (key is null ? !registered.IsService(service) : !registered.IsKeyedService(service, key))
            {
                failures.Add(key is null
                    ? $"Memory: no {serviceName} service is registered; register one (AddAgentKit() registers the configured vector store and default models), or name a keyed one in Memory:{option}."
                    : $"Memory:{option}: no {serviceName} service is registered under the key '{key}'.");
            }
        }
    }

    private sealed class IdleService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
