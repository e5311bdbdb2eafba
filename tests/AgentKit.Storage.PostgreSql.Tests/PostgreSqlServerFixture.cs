using AgentKit.Testing.PostgreSql;
using AgentKit.Storage.PostgreSql.Tests;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgreSqlServerFixture))]

namespace AgentKit.Storage.PostgreSql.Tests;

/// <summary>
/// One throw-away PostgreSQL cluster for the whole test assembly (stopped and deleted when the run ends, failed or
/// not); each test gets a fresh schema in its database. Without the server binaries every test is skipped and says why.
/// </summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    private TemporaryPostgreSqlCluster? _cluster;

    /// <summary>Why the tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    public TemporaryPostgreSqlCluster Cluster => _cluster ?? throw new InvalidOperationException(SkipReason);

    public async ValueTask InitializeAsync()
    {
        SkipReason = TemporaryPostgreSqlCluster.MissingReason;
        _cluster = await TemporaryPostgreSqlCluster.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public void SkipIfUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    /// <summary>Options on a schema no other test uses; <paramref name="applicationName"/> tells this store's connections apart on the server.</summary>
    public PostgreSqlStorageOptions NewOptions(string? schema = null, string applicationName = "agentkit-tests") => new()
    {
        ConnectionString = $"{Cluster.ConnectionString};Application Name={applicationName}",
        Schema = schema ?? NewSchema(),
    };

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Runs SQL as the cluster's superuser.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
