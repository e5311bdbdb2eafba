using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Graph.Conformance;
using AgentKit.Storage.PostgreSql.Graph;

namespace AgentKit.Storage.PostgreSql.Tests;

/// <summary>The shared graph-store suite against a real PostgreSQL server: each test on its own schema, each store instance its own connection pool (as a replica has).</summary>
public sealed class PostgreSqlGraphStoreConformanceTests(PostgreSqlServerFixture server) : GraphStoreConformanceTests
{
    private readonly string _schema = PostgreSqlServerFixture.NewSchema();
    private int _instances;

    protected override string? SkipReason => server.SkipReason;

    protected override ValueTask<IGraphStore> OpenStoreAsync(GraphStoreOptions bounds) =>
        ValueTask.FromResult<IGraphStore>(new PostgreSqlGraphStore(server.NewOptions(_schema, $"graph-{Interlocked.Increment(ref _instances)}"), bounds));
}

/// <summary>What only the PostgreSQL graph store does: replicas' in-memory name embeddings follow each other's writes, failures name the server, bounds hold across replicas.</summary>
public sealed class PostgreSqlGraphStoreTests(PostgreSqlServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReplica_FindsBySimilarity_WhatAnotherAddedAndForgetsWhatItRemoved()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = new PostgreSqlGraphStore(server.NewOptions(schema, "graph-a"));
        await using var b = new PostgreSqlGraphStore(server.NewOptions(schema, "graph-b"));
        Assert.Empty(await b.NearestEntitiesAsync(Axis(1), 5, 0.5, Ct));

        await a.ReplaceEvidenceAsync(Evidence("c-1"), Pair("Alice", 1, "Zentrix", 2), Ct);
        Assert.Equal("Alice", Assert.Single(await b.NearestEntitiesAsync(Axis(1), 5, 0.5, Ct)).Entity.Name);

        await a.ReplaceEvidenceAsync(Evidence("c-2"), Pair("Bob", 3, "Kappa", 4), Ct);
        await a.DeleteEvidenceAsync(["c-1"], Ct);
        Assert.Empty(await b.NearestEntitiesAsync(Axis(1), 5, 0.5, Ct));
        Assert.Equal("Kappa", Assert.Single(await b.NearestEntitiesAsync(Axis(4), 5, 0.5, Ct)).Entity.Name);
    }

    [Fact]
    public async Task MaxEntities_HoldsAcrossReplicas()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = new PostgreSqlGraphStore(server.NewOptions(schema, "graph-a"), new GraphStoreOptions { MaxEntities = 3 });
        await using var b = new PostgreSqlGraphStore(server.NewOptions(schema, "graph-b"), new GraphStoreOptions { MaxEntities = 3 });
        await a.ReplaceEvidenceAsync(Evidence("c-1"), Pair("Alice", 1, "Zentrix", 2), Ct);

        var error = await Assert.ThrowsAsync<GraphLimitExceededException>(() => b.ReplaceEvidenceAsync(Evidence("c-2"), Pair("Bob", 3, "Kappa", 4), Ct));

        Assert.Equal(nameof(GraphStoreOptions.MaxEntities), error.Limit);
        Assert.Contains($"{b.Server} (schema '{schema}')", error.Message, StringComparison.Ordinal);
        Assert.Equal(new GraphStatistics(2, 1, 1, 0), await a.GetStatisticsAsync(Ct));
    }

    [Fact]
    public async Task ConcurrentWrites_FromTwoReplicas_KeepOneEntityPerName()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = new PostgreSqlGraphStore(server.NewOptions(schema, "graph-a"));
        await using var b = new PostgreSqlGraphStore(server.NewOptions(schema, "graph-b"));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? a : b).ReplaceEvidenceAsync(Evidence($"c-{i}"), Pair("Hub", 1, $"Spoke {i}", 2), Ct)));

        Assert.Equal(new GraphStatistics(21, 20, 20, 0), await b.GetStatisticsAsync(Ct));
        Assert.Single(await a.FindEntitiesAsync(["hub"], Ct));
    }

    [Fact]
    public async Task NoServerListening_IsAGraphException_NamingTheServer()
    {
        var port = ConnectionFailureTests.ClosedPort();
        await using var store = new PostgreSqlGraphStore(new PostgreSqlStorageOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Database=agentkit;Username=agentkit;Timeout=3" });

        var error = await Assert.ThrowsAsync<GraphException>(() => store.GetStatisticsAsync(Ct));

        Assert.Contains($"PostgreSQL at 127.0.0.1:{port}/agentkit could not", error.Message, StringComparison.Ordinal);
        var cause = Assert.IsType<PostgreSqlStorageException>(error.InnerException);
        Assert.Equal($"127.0.0.1:{port}/agentkit", cause.Server);
        Assert.True(cause.IsTransient);
    }

    [Fact]
    public void InvalidBounds_AreRefusedByName() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlGraphStore(new PostgreSqlStorageOptions { ConnectionString = "Host=localhost;Database=x" }, new GraphStoreOptions { MaxRelations = 0 }));

    private static GraphEvidenceRecord Evidence(string id) => new(id, "doc.md", GraphEvidenceKind.Chunk, "hash-" + id, DateTimeOffset.UnixEpoch);

    private static ResolvedExtraction Pair(string a, int axisA, string b, int axisB) => new(
        [
            new ResolvedEntity(null, EntityNames.Normalize(a), a, "thing", a + " is a thing.", Axis(axisA), null),
            new ResolvedEntity(null, EntityNames.Normalize(b), b, "thing", b + " is a thing.", Axis(axisB), null),
        ],
        [new ResolvedRelation(0, "knows", 1, $"{a} knows {b}.")]);

    private static float[] Axis(int axis)
    {
        var vector = new float[8];
        vector[axis] = 1;
        return vector;
    }
}
