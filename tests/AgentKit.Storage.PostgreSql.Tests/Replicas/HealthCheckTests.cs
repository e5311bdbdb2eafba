using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary>The <c>agentkit-postgresql</c> health check of a replica configured with <c>Storage:Provider = PostgreSql</c>.</summary>
public sealed class HealthCheckTests(PostgreSqlServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthy_NamesServerSchemaAndVersion_ThenUnhealthy_WhenTheSchemaIsGone()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var replica = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "replica-health");
        var health = replica.Services.GetRequiredService<HealthCheckService>();

        var ok = (await health.CheckHealthAsync(Ct)).Entries["agentkit-postgresql"];
        Assert.Equal(HealthStatus.Healthy, ok.Status);
        Assert.Equal($"PostgreSQL at 127.0.0.1:{server.Cluster.Port}/{server.Cluster.Database}, schema '{schema}' at version 4.", ok.Description);

        // Someone dropped the tables under a running replica: the check says so, naming the server and what failed.
        await server.ScalarAsync($"DROP SCHEMA {schema} CASCADE");
        var report = await health.CheckHealthAsync(Ct);
        var gone = report.Entries["agentkit-postgresql"];
        Assert.Equal(HealthStatus.Unhealthy, gone.Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.StartsWith($"PostgreSQL at 127.0.0.1:{server.Cluster.Port}/{server.Cluster.Database} could not read the schema version: 42P01", gone.Description, StringComparison.Ordinal);
    }
}
