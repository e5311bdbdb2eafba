using AgentKit.Agents.Sessions;
using AgentKit.Sessions.Conformance;
using AgentKit.Storage.PostgreSql.Sessions;

namespace AgentKit.Storage.PostgreSql.Tests;

/// <summary>The shared checkpoint-store suite against a real PostgreSQL server: each test on its own schema, each store instance its own connection pool (as a replica has).</summary>
public sealed class PostgreSqlRunCheckpointStoreTests(PostgreSqlServerFixture server) : RunCheckpointStoreConformanceTests
{
    private readonly string _schema = PostgreSqlServerFixture.NewSchema();
    private int _instances;

    protected override string? SkipReason => server.SkipReason;

    protected override ValueTask<ISessionStore> OpenStoreAsync() =>
        ValueTask.FromResult<ISessionStore>(new PostgreSqlSessionStore(server.NewOptions(_schema, $"checkpoints-{Interlocked.Increment(ref _instances)}")));
}
