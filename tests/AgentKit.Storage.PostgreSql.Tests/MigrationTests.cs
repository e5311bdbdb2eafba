using AgentKit.Agents.Sessions;
using AgentKit.Storage.PostgreSql.Sessions;

namespace AgentKit.Storage.PostgreSql.Tests;

public sealed class MigrationTests(PostgreSqlServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConcurrentStarts_OfEightProcesses_ApplyEachMigrationOnce()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();

        // Eight stores, eight connection pools: as many processes starting together against an empty schema.
        var stores = Enumerable.Range(0, 8).Select(i => new PostgreSqlSessionStore(server.NewOptions(schema, $"replica-{i}"))).ToList();
        try
        {
            var created = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.CreateAsync("shop", Ct), Ct)));

            Assert.Equal(8, (await stores[0].ListAsync(cancellationToken: Ct)).Count);
            Assert.Equal(8, created.Select(c => c.Id).Distinct().Count());
            Assert.Equal("1:sessions,2:runs,3:approvals,4:graph", await server.ScalarAsync($"SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM {schema}.schema_migrations"));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ASchemaNewerThanThisVersion_IsRefused_NamingServerSchemaAndVersions()
    {
        server.SkipIfUnavailable();
        var options = server.NewOptions();
        await using (var first = new PostgreSqlSessionStore(options))
        {
            await first.CreateAsync("shop", Ct);
        }

        await server.ScalarAsync($"INSERT INTO {options.Schema}.schema_migrations (version, name) VALUES (999, 'from the future')");
        await using var second = new PostgreSqlSessionStore(options);

        var error = await Assert.ThrowsAsync<SessionStoreException>(async () => await second.ListAsync(cancellationToken: Ct));

        var cause = Assert.IsType<PostgreSqlStorageException>(error.InnerException);
        Assert.Equal($"127.0.0.1:{server.Cluster.Port}/{server.Cluster.Database}", cause.Server);
        Assert.Contains($"schema '{options.Schema}' is at version 999", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade AgentKit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tables_AreCreatedInTheConfiguredSchemaOnly()
    {
        server.SkipIfUnavailable();
        var options = server.NewOptions();
        await using var store = new PostgreSqlSessionStore(options);
        await store.CreateAsync("shop", Ct);

        var tables = (string?)await server.ScalarAsync($"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{options.Schema}'");

        Assert.Equal("approvals,graph_aliases,graph_communities,graph_entities,graph_evidence,graph_mentions,graph_merges,graph_relations,graph_state,messages,run_checkpoints,runs,schema_migrations,sessions", tables);
        Assert.Equal(0L, await server.ScalarAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"));
    }
}
