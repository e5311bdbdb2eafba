using AgentKit.Storage.PostgreSql.Database;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Storage.PostgreSql.DependencyInjection;

/// <summary>Applies the schema migrations when the host starts, so an unreachable server or a newer schema stops start-up with a message naming the server.</summary>
internal sealed partial class PostgreSqlMigrationService(PostgreSqlDatabase database, ILogger<PostgreSqlMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        LogReady(logger, database.Server, database.Schema);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL storage at {Server}, schema {Schema}: migrations applied.")]
    private static partial void LogReady(ILogger logger, string server, string schema);
}
