using AgentKit.Planning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentKit's planners.</summary>
public static class PlanningServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IPlannerFactory"/>, the ten built-in planners (keyed <see cref="IPlanner"/>s by name, as
    /// <see cref="AddAgentKitPlanner{T}"/> registers an application's own) and <see cref="PlanningOptions"/> (from the <c>AgentKit:Planning</c> section of
    /// <paramref name="configuration"/> when given, then <paramref name="configure"/>), validated at start.
    /// Needs an <c>IPromptRegistry</c> (<c>AddAgentKitPrompts</c>); registers the JavaScript sandbox PAL runs programs in
    /// (<c>AddAgentKitSandbox</c>, its limits from the <c>AgentKit:Sandbox</c> section of the same configuration).
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

        if (services.Any(d => d.ServiceType == typeof(IPlannerFactory)))
        {
            return services;
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlanningOptions>, PlanningOptionsValidator>());
        services.TryAddSingleton<ChainOfThoughtPlanner>();
        services.TryAddSingleton<SelfConsistencyPlanner>();
        services.TryAddSingleton<TreeOfThoughtsPlanner>();
        services.TryAddSingleton<ReActPlanner>();
        services.TryAddSingleton<PlanAndExecutePlanner>();
        services.AddAgentKitSandbox(configuration);
        services.TryAddSingleton<ProgramAidedPlanner>();
        services.TryAddSingleton<SelfCheckPlanner>();
        services.TryAddSingleton<CritiquePlanner>();
        services.TryAddSingleton<DebatePlanner>();
        services.TryAddSingleton<LeastToMostPlanner>();
        BuiltInPlanners.Add(services);
        services.TryAddSingleton<IPlannerFactory, PlannerFactory>();
        return services;
    }

    /// <summary>
    /// Registers a planner under <paramref name="name"/> (and <paramref name="aliases"/>, case-insensitive): a keyed
    /// <see cref="IPlanner"/> singleton constructed by DI, selectable by that name wherever a planner is named
    /// (<c>AgentKit:Agents:&lt;agent&gt;:Planner:Kind</c>, <see cref="PlanningOptions.DefaultPlanner"/>, per call).
    /// </summary>
    /// <typeparam name="T">The planner.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">The name.</param>
    /// <param name="aliases">Other names for it.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitPlanner<T>(this IServiceCollection services, string name, params string[] aliases)
        where T : class, IPlanner
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(aliases);
        services.AddKeyedSingleton<IPlanner, T>(name);
        services.AddSingleton(new PlannerRegistration(name, aliases));
        return services;
    }
}
