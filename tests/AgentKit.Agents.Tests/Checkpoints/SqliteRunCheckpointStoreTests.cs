using AgentKit.Agents.Sessions;
using AgentKit.Sessions.Conformance;

namespace AgentKit.Agents.Tests.Checkpoints;

/// <summary>The shared checkpoint-store suite on one SQLite file per test, each store instance its own connection pool.</summary>
public sealed class SqliteRunCheckpointStoreTests : RunCheckpointStoreConformanceTests
{
    private readonly string _path = TempFiles.NewDatabasePath();

    protected override ValueTask<ISessionStore> OpenStoreAsync() => ValueTask.FromResult<ISessionStore>(new SqliteSessionStore(_path));
}
