using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentKit.Hosting.Health;

/// <summary>
/// Registered as <c>agentkit-postgresql</c> when <c>AgentKit:Storage:Provider</c> is <c>PostgreSql</c>: healthy when
/// the server answers within the check's time and the schema is migrated; unhealthy (naming the server) otherwise,
/// so a load balancer takes a replica that lost its database out of rotation.
/// </summary>
internal sealed class PostgreSqlHealthCheck(PostgreSqlSessionStore store) : IHealthCheck
{
    // A health probe must answer quickly even when the server hangs: the command timeout can be much longer.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Limit);
        try
        {
            var version = await store.GetSchemaVersionAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PostgreSQL at {store.Server}, schema '{store.Schema}' at version {version}.");
        }
        catch (SessionStoreException e)
        {
            return HealthCheckResult.Unhealthy(e.Message, e);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL at {store.Server} did not answer within {Limit.TotalSeconds:0} seconds.");
        }
    }
}
