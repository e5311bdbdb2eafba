using System.Net;
using System.Net.Sockets;
using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql.Database;
using AgentKit.Storage.PostgreSql.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AgentKit.Storage.PostgreSql.Tests;

public sealed class ConnectionFailureTests(PostgreSqlServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoServerListening_IsASessionStoreException_NamingHostPortAndDatabase()
    {
        var port = ClosedPort();
        await using var store = new PostgreSqlSessionStore(new PostgreSqlStorageOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Database=agentkit;Username=agentkit;Timeout=3" });

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await store.CreateAsync("shop", Ct));

        Assert.Contains($"PostgreSQL at 127.0.0.1:{port}/agentkit could not", error.Message, StringComparison.Ordinal);
        Assert.Contains("check the server is running", error.Message, StringComparison.Ordinal);
        var cause = Assert.IsType<PostgreSqlStorageException>(error.InnerException);
        Assert.Equal($"127.0.0.1:{port}/agentkit", cause.Server);
        Assert.True(cause.IsTransient);
        Assert.Null(cause.SqlState);
    }

    [Fact]
    public async Task AMissingDatabase_IsNamed_WithItsSqlState()
    {
        server.SkipIfUnavailable();
        await using var store = new PostgreSqlSessionStore(new PostgreSqlStorageOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={server.Cluster.Port};Database=no_such_db;Username=agentkit",
        });

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await store.GetAsync("x", Ct));

        Assert.Contains($"127.0.0.1:{server.Cluster.Port}/no_such_db", error.Message, StringComparison.Ordinal);
        Assert.Contains("database \"no_such_db\" does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("3D000", Assert.IsType<PostgreSqlStorageException>(error.InnerException).SqlState);
    }

    [Fact]
    public async Task HostStart_WithTheServerDown_FailsNamingTheServer()
    {
        var port = ClosedPort();
        using var host = Host(o => o.ConnectionString = $"Host=127.0.0.1;Port={port};Database=agentkit;Username=agentkit;Timeout=3");

        var error = await Assert.ThrowsAsync<PostgreSqlStorageException>(() => host.StartAsync(Ct));

        Assert.Equal($"127.0.0.1:{port}/agentkit", error.Server);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    [Fact]
    public async Task HostStart_WithInvalidOptions_NamesEveryKey()
    {
        using var host = Host(o =>
        {
            o.ConnectionString = "Port=5432";
            o.Schema = "Bad-Name";
            o.CommandTimeout = TimeSpan.Zero;
            o.MaxMessagesPerSession = 0;
            o.MaxConcurrentTurns = 0;
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Storage:PostgreSql:ConnectionString: names no Host", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Storage:PostgreSql:ConnectionString: names no Database", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Storage:PostgreSql:Schema: 'Bad-Name'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Storage:PostgreSql:CommandTimeout", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Storage:PostgreSql:MaxMessagesPerSession", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Storage:PostgreSql:MaxConcurrentTurns", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_WithoutAConnectionString_AreRefusedByTheStore()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgreSqlSessionStore(new PostgreSqlStorageOptions()));

        Assert.Contains("AgentKit:Storage:PostgreSql:ConnectionString: is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppendBeyondMaxMessagesPerSession_StoresNothing_AndSaysSo()
    {
        server.SkipIfUnavailable();
        var options = server.NewOptions();
        options.MaxMessagesPerSession = 3;
        await using var store = new PostgreSqlSessionStore(options);
        var session = await store.CreateAsync("shop", Ct);
        await store.AppendMessagesAsync(session.Id, [new(Microsoft.Extensions.AI.ChatRole.User, "1"), new(Microsoft.Extensions.AI.ChatRole.User, "2")], Ct);

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () =>
            await store.AppendMessagesAsync(session.Id, [new(Microsoft.Extensions.AI.ChatRole.User, "3"), new(Microsoft.Extensions.AI.ChatRole.User, "4")], Ct));

        Assert.Contains("MaxMessagesPerSession (3)", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1", "2"], (await store.LoadMessagesAsync(session.Id, Ct)).Select(m => m.Text));
    }

    [Fact]
    public async Task IdleConnections_StayWarmAboveTheDefaultFloor_UnlessTheConnectionStringSetsOne()
    {
        server.SkipIfUnavailable();

        // 24 run locks at once open 24 lock connections; pruning (every 2 s here) closes the idle surplus down to the
        // floor. The migration's connections (main pool, under its floor) stay with the default and go with 0.
        var warm = await ConnectionsAfterPruningAsync(string.Empty);
        Assert.Equal(24, warm.Opened);
        Assert.Equal(warm.Before + PostgreSqlDatabase.DefaultMinPoolSize, warm.Kept);
        Assert.Equal(0, (await ConnectionsAfterPruningAsync(";Minimum Pool Size=0")).Kept);
    }

    /// <summary>A store's connections after its migration (Before), the run-lock connections it then opened, and what pruning kept.</summary>
    private async Task<(long Before, long Opened, long Kept)> ConnectionsAfterPruningAsync(string extra)
    {
        var name = "pool-" + Guid.NewGuid().ToString("N")[..12];
        var options = server.NewOptions(applicationName: name);
        options.ConnectionString += ";Connection Idle Lifetime=2;Connection Pruning Interval=1" + extra;
        await using var store = new PostgreSqlSessionStore(options);
        await store.GetSchemaVersionAsync(Ct);
        var before = await ConnectionsAsync();
        var locks = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => store.TryAcquireAsync($"{name}-{i}", Ct).AsTask()));
        foreach (var held in locks)
        {
            await Assert.IsAssignableFrom<IAsyncDisposable>(held).DisposeAsync();
        }

        var opened = await ConnectionsAsync() - before;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var floor = extra.Length == 0 ? before + Math.Min(opened, PostgreSqlDatabase.DefaultMinPoolSize) : 0;
        while (await ConnectionsAsync() > floor && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }

        await Task.Delay(TimeSpan.FromSeconds(3), Ct); // more pruning rounds: none may go below the floor
        return (before, opened, await ConnectionsAsync());

        async Task<long> ConnectionsAsync() => (long)(await server.ScalarAsync(
            $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{name}' AND query NOT LIKE 'LISTEN%'"))!;
    }

    private static IHost Host(Action<PostgreSqlStorageOptions> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentKitPostgreSqlStorage(configure);
        return builder.Build();
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
