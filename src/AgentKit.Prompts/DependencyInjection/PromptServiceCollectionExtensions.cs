using AgentKit.Abstractions.Prompts;
using AgentKit.Prompts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentKit's prompt registry.</summary>
public static class PromptServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PromptRegistry"/> as the singleton <see cref="IPromptRegistry"/>, configured by
    /// <paramref name="configure"/> on top of any other <see cref="PromptRegistryOptions"/> configuration, and the
    /// registry as the <see cref="IToolPromptSource"/> that serves the local engine's tool prompts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the folder and limits; optional.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitPrompts(this IServiceCollection services, Action<PromptRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PromptRegistryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new PromptRegistry(
            sp.GetRequiredService<IOptions<PromptRegistryOptions>>().Value,
            sp.GetService<ILogger<PromptRegistry>>()));
        services.TryAddSingleton<IPromptRegistry>(sp => sp.GetRequiredService<PromptRegistry>());
        services.TryAddSingleton<IToolPromptSource>(sp => new RegistryToolPromptSource(sp.GetRequiredService<IPromptRegistry>()));
        return services;
    }
}
