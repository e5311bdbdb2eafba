using AgentKit.Agents.Sessions;
using AgentKit.Sessions.Conformance;
using AgentKit.Storage.PostgreSql.Sessions;

namespace AgentKit.Storage.PostgreSql.Tests;

/// <summary>The shared session-store suite against a real PostgreSQL server, each test on its own schema.</summary>
public sealed class PostgreSqlSessionStoreConformanceTests(PostgreSqlServerFixture server) : SessionStoreConformanceTests
{
    protected override string? SkipReason => server.SkipReason;

    protected override ValueTask<ISessionStore> CreateStore(TimeProvider clock) =>
        ValueTask.FromResult<ISessionStore>(new PostgreSqlSessionStore(server.NewOptions(), clock));
}
