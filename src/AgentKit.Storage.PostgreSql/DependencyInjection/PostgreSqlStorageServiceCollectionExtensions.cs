using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using AgentKit.Graph;
using AgentKit.Storage.PostgreSql.Approvals;
using AgentKit.Storage.PostgreSql.Database;
using AgentKit.Storage.PostgreSql.DependencyInjection;
using AgentKit.Storage.PostgreSql.Graph;
using AgentKit.Storage.PostgreSql.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Storage.PostgreSql;

/// <summary>Registers PostgreSQL as AgentKit's runtime store.</summary>
public static class PostgreSqlStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgreSqlSessionStore"/> as the <see cref="ISessionStore"/>, the <see cref="ISessionRunLock"/>
    /// and the <see cref="IRunCheckpointStore"/> (durable runs and forks on PostgreSQL), and
    /// <see cref="PostgreSqlApprovalExchange"/> as the <see cref="IToolApprovalExchange"/> (an approval waiting on one
    /// replica is answered on any), with the options validated and the schema migrated when the host starts. Call
    /// before <c>AddAgentKitAgents</c>, whose SQLite default is then not used.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options (at least <see cref="PostgreSqlStorageOptions.ConnectionString"/>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitPostgreSqlStorage(this IServiceCollection services, Action<PostgreSqlStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PostgreSqlStorageOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStorageOptions>, OptionsValidator>());
        services.TryAddSingleton(sp => new PostgreSqlDatabase(sp.GetRequiredService<IOptions<PostgreSqlStorageOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new PostgreSqlSessionStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false, sp.GetService<TimeProvider>()));
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<PostgreSqlSessionStore>());
        services.AddSingleton<ISessionRunLock>(sp => sp.GetRequiredService<PostgreSqlSessionStore>());
        services.AddSingleton<IRunCheckpointStore>(sp => sp.GetRequiredService<PostgreSqlSessionStore>());
        services.TryAddSingleton(sp => new PostgreSqlApprovalExchange(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false, sp.GetService<TimeProvider>(), sp.GetService<ILogger<PostgreSqlApprovalExchange>>()));
        services.AddSingleton<IToolApprovalExchange>(sp => sp.GetRequiredService<PostgreSqlApprovalExchange>());
        services.AddHostedService<PostgreSqlMigrationService>();
        return services;
    }

    /// <summary>
    /// Registers <see cref="PostgreSqlGraphStore"/> as the knowledge graph's <see cref="IGraphStore"/>, in the database
    /// and schema of <see cref="AddAgentKitPostgreSqlStorage"/> (call that first), with the bounds of
    /// <c>AgentKit:Graph:Store</c> (<see cref="GraphOptions"/>) when the graph's options are registered. Call before
    /// <c>AddAgentKitGraph</c>, whose SQLite store is then not used.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAgentKitPostgreSqlGraphStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new PostgreSqlGraphStore(
            sp.GetService<PostgreSqlDatabase>() ?? throw new InvalidOperationException("AddAgentKitPostgreSqlGraphStore needs AddAgentKitPostgreSqlStorage: the graph lives in the runtime store's database."),
            ownsDatabase: false,
            sp.GetService<IOptions<GraphOptions>>()?.Value.Store,
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IGraphStore>(sp => sp.GetRequiredService<PostgreSqlGraphStore>());
        return services;
    }

    private sealed class OptionsValidator : IValidateOptions<PostgreSqlStorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgreSqlStorageOptions options)
        {
            var failures = options.Validate();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
