using AgentKit.Agents.Sessions;
using AgentKit.Sessions.Conformance;

namespace AgentKit.Agents.Tests.Sessions;

public sealed class InMemorySessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStore(TimeProvider clock) => ValueTask.FromResult<ISessionStore>(new InMemorySessionStore(clock));
}

public sealed class SqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStore(TimeProvider clock) => ValueTask.FromResult<ISessionStore>(new SqliteSessionStore(TempFiles.NewDatabasePath(), clock));
}
