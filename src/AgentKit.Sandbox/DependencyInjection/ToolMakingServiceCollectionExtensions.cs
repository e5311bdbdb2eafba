using AgentKit.Abstractions.Tools;
using AgentKit.Sandbox;
using AgentKit.Sandbox.Making;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers tool making: the store, the <see cref="ToolMaker"/> and the <see cref="MadeToolSource"/>.</summary>
public static class ToolMakingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ToolMakingOptions"/> (the <c>AgentKit:Tools:Making</c> section of
    /// <paramref name="configuration"/> when given, then <paramref name="configure"/>; validated at start, naming the
    /// key), the sandbox (<c>AddAgentKitSandbox</c>), a <see cref="MadeToolStore"/> on <see cref="ToolMakingOptions.Path"/>,
    /// a <see cref="ToolMaker"/> that refuses the names of the registered <see cref="IToolSource"/>s' tools, and the
    /// <see cref="MadeToolSource"/> as an <see cref="IAgentToolSource"/>. The model-facing tools come from
    /// <see cref="ToolMakingTools.Create"/>; register them as a tool source with the caller's way of naming the running agent.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration; optional.</param>
    /// <param name="configure">Further settings; optional.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitToolMaking(this IServiceCollection services, IConfiguration? configuration = null, Action<ToolMakingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAgentKitSandbox(configuration);
        var options = services.AddOptions<ToolMakingOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(ToolMakingOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToolMakingOptions>, ToolMakingOptionsValidator>());
        services.TryAddSingleton(sp => new MadeToolStore(sp.GetRequiredService<IOptions<ToolMakingOptions>>().Value.Path!, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new ToolMaker(
            sp.GetRequiredService<MadeToolStore>(),
            sp.GetRequiredService<IJavaScriptSandbox>(),
            sp.GetRequiredService<IOptions<ToolMakingOptions>>(),
            // Resolved per proposal: the tool sources include the one offering propose_tool, which depends on this maker.
            cancellationToken => RegisteredNamesAsync(sp.GetServices<IToolSource>(), cancellationToken)));
        services.TryAddSingleton(sp => new MadeToolSource(sp.GetRequiredService<ToolMaker>(), sp.GetRequiredService<IJavaScriptSandbox>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentToolSource, MadeToolSource>(sp => sp.GetRequiredService<MadeToolSource>()));
        return services;
    }

    private static async ValueTask<IReadOnlyCollection<string>> RegisteredNamesAsync(IEnumerable<IToolSource> sources, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var tool in await source.GetToolsAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(tool.Name);
            }
        }

        return names;
    }
}
