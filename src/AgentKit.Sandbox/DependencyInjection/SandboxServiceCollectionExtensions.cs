using AgentKit.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentKit's JavaScript sandbox.</summary>
public static class SandboxServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IJavaScriptSandbox"/> (a <see cref="JavaScriptSandbox"/> singleton) and
    /// <see cref="SandboxOptions"/> (from the <c>AgentKit:Sandbox</c> section of <paramref name="configuration"/> when
    /// given, then <paramref name="configure"/>), validated at start with the offending key named. Safe to call more than once.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration; optional.</param>
    /// <param name="configure">Further settings; optional.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAgentKitSandbox(this IServiceCollection services, IConfiguration? configuration = null, Action<SandboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SandboxOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(SandboxOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>());
        services.TryAddSingleton<IJavaScriptSandbox>(sp => new JavaScriptSandbox(sp.GetRequiredService<IOptions<SandboxOptions>>(), sp.GetService<ILogger<JavaScriptSandbox>>()));
        return services;
    }
}
