using AgentKit.Planning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentKit's planners.</summary>
public static class PlanningServiceCollectionExtensions
{
    /// <summary>
    /// Registers the five planners, <see cref="IPlannerFactory"/> and <see cref="PlanningOptions"/> (from the
    /// <c>AgentKit:Planning</c> section of <paramref name="configuration"/> when given, then <paramref name="configure"/>).
    /// Needs an <c>IPromptRegistry</c> (<c>AddAgentKitPrompts</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration; optional.</param>
    /// <param name="configure">Further settings; optional.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitPlanning(this IServiceCollection services, IConfiguration? configuration = null, Action<PlanningOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PlanningOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(PlanningOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<ChainOfThoughtPlanner>();
        services.TryAddSingleton<SelfConsistencyPlanner>();
        services.TryAddSingleton<TreeOfThoughtsPlanner>();
        services.TryAddSingleton<ReActPlanner>();
        services.TryAddSingleton<PlanAndExecutePlanner>();
        services.TryAddSingleton<IPlannerFactory, PlannerFactory>();
        return services;
    }
}
