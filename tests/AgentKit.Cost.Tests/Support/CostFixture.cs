using AgentKit.Embeddings.MiniLM;

namespace AgentKit.Cost.Tests.Support;

/// <summary>The real default embedding model, shared by the tests that need one (its session takes a second to create).</summary>
public sealed class MiniLMFixture : IDisposable
{
    public MiniLMEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}

/// <summary>Cache tests read process-wide meters, so they run one class at a time.</summary>
[CollectionDefinition(nameof(CacheTests))]
public sealed class CacheTests : ICollectionFixture<MiniLMFixture>;

/// <summary>A folder for one test's SQLite files, deleted with it.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("agentkit-cost-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
