using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Conformance;
using AgentKit.Graph.Tests.Support;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;

namespace AgentKit.Graph.Tests;

/// <summary>The shared graph-store suite on a SQLite file; each instance opens its own writer connection on it, as another process would.</summary>
public sealed class SqliteGraphStoreConformanceTests : GraphStoreConformanceTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-graph-conformance-").FullName;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected override ValueTask<IGraphStore> OpenStoreAsync(GraphStoreOptions bounds)
    {
        bounds.Path = Path.Combine(_folder, "agentkit.db");
        return ValueTask.FromResult<IGraphStore>(new SqliteGraphStore(bounds));
    }
}

/// <summary>What only the SQLite store does: share the vector store's file, version its tables there, refuse an in-memory database.</summary>
public sealed class SqliteGraphStoreTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-graph-store-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Store_SharesTheVectorStoresFile_AndReopensWithItsData()
    {
        var path = Path.Combine(_folder, "agentkit.db");
        using (var vectors = new SqliteVectorStore(path))
        {
            using var store = new SqliteGraphStore(new GraphStoreOptions { Path = path });
            await store.ReplaceEvidenceAsync(Evidence("c-1"), Pair("Alice", "Zentrix"), TestContext.Current.CancellationToken);
            Assert.False(await vectors.CollectionExistsAsync("chunks", TestContext.Current.CancellationToken));
        }

        using var reopened = new SqliteGraphStore(new GraphStoreOptions { Path = path });
        Assert.Equal(new GraphStatistics(2, 1, 1, 0), await reopened.GetStatisticsAsync(TestContext.Current.CancellationToken));
        var nearest = await reopened.NearestEntitiesAsync(Vector(1), 1, 0.99, TestContext.Current.CancellationToken);
        Assert.Equal("Alice", Assert.Single(nearest).Entity.Name);
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Open_AFileWithANewerSchema_ThrowsGraphException()
    {
        var path = Path.Combine(_folder, "newer.db");
        new SqliteGraphStore(new GraphStoreOptions { Path = path }).Dispose();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE __agentkit_graph_meta SET value = '99' WHERE key = 'schema_version'";
            await update.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var error = Assert.Throws<GraphException>(() => new SqliteGraphStore(new GraphStoreOptions { Path = path }));
        Assert.Contains("schema version '99'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_AVersion1File_AddsTheCommunityTable_AndKeepsTheGraph()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_folder, "v1.db");
        using (var store = new SqliteGraphStore(new GraphStoreOptions { Path = path }))
        {
            await store.ReplaceEvidenceAsync(Evidence("c-1"), Pair("Alice", "Zentrix"), ct);
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync(ct);
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "DROP TABLE __agentkit_graph_communities; UPDATE __agentkit_graph_meta SET value = '1' WHERE key = 'schema_version'";
            await downgrade.ExecuteNonQueryAsync(ct);
        }

        using var upgraded = new SqliteGraphStore(new GraphStoreOptions { Path = path });
        Assert.Empty(await upgraded.GetCommunitiesAsync(ct));
        Assert.Equal(2, (await upgraded.GetStatisticsAsync(ct)).Entities);
        var community = new GraphCommunity("h", "Title", "Summary", 3, [1, 2], ["c-1"], new float[] { 1, 0 }, DateTimeOffset.UnixEpoch);
        Assert.Equal(0, await upgraded.ReplaceCommunitiesAsync([], [community], ct));
        var read = Assert.Single(await upgraded.GetCommunitiesAsync(ct));
        Assert.Equal([1L, 2L], read.Members);
        Assert.Equal(("c-1", 2), (read.Evidence[0], read.Embedding.Length));
        Assert.Equal(1, await upgraded.ReplaceCommunitiesAsync([], [], ct));
    }

    [Fact]
    public void Options_InMemoryPath_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new SqliteGraphStore(new GraphStoreOptions { Path = ":memory:" }));

    [Fact]
    public void Options_ThatNamePostgreSql_AreRefused_AndNeedNoPath()
    {
        var options = new GraphStoreOptions { Provider = GraphStoreProvider.PostgreSql };
        options.Validate();
        var error = Assert.Throws<ArgumentException>(() => new SqliteGraphStore(options));
        Assert.Contains("PostgreSql", error.Message, StringComparison.Ordinal);
    }

    private static GraphEvidenceRecord Evidence(string id) => new(id, "doc.md", GraphEvidenceKind.Chunk, "hash-" + id, Time);

    private static ResolvedExtraction Pair(string a, string b) => new(
        [
            new ResolvedEntity(null, EntityNames.Normalize(a), a, "thing", a + " is a thing.", Vector(1), null),
            new ResolvedEntity(null, EntityNames.Normalize(b), b, "thing", b + " is a thing.", Vector(2), null),
        ],
        [new ResolvedRelation(0, "knows", 1, $"{a} knows {b}.")]);

    private static float[] Vector(int axis)
    {
        var vector = new float[8];
        vector[axis] = 1;
        return vector;
    }
}
