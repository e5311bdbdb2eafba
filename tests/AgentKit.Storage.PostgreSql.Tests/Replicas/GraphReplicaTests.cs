using System.Text.Json;
using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Storage.PostgreSql.Graph;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary><c>AgentKit:Graph</c> on replicas whose runtime store is PostgreSQL: the graph lives in the same database, so every replica reads what one indexed.</summary>
public sealed class GraphReplicaTests(PostgreSqlServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AGraphIndexedOnOneReplica_IsReadByTheOther_FromTheSharedSchema()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        var settings = new Dictionary<string, string?>
        {
            ["AgentKit:Models:words:Provider"] = "Lexical",
            ["AgentKit:Models:words:Kind"] = "Embedding",
            ["AgentKit:DefaultEmbeddingModel"] = "words",
            ["AgentKit:Graph:ChatClientKey"] = "scripted",
        };
        await using var a = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "graph-a", ExtractionModel(), settings);
        await using var b = await ReplicaServer.StartAsync(server.Cluster.ConnectionString, schema, "graph-b", ExtractionModel(), settings);
        Assert.IsType<PostgreSqlGraphStore>(a.Services.GetRequiredService<IGraphStore>());

        await a.Services.GetRequiredService<IGraphEvidenceSink>().UpsertSourceAsync(
            "zentrix.md", GraphEvidenceKind.Chunk, [new GraphEvidenceItem("chunk-1", "Alice Moreau founded Zentrix.", DateTimeOffset.UnixEpoch)], Ct);

        var context = await b.Services.GetRequiredService<IGraphContextSource>().GetContextAsync(new GraphContextQuery { Question = "Who founded Zentrix?" }, Ct);
        Assert.Contains("founded", context.Text, StringComparison.Ordinal);
        Assert.Equal("chunk-1", Assert.Single(context.Evidence).Id);
        Assert.Equal(2L, await server.ScalarAsync($"SELECT COUNT(*) FROM {schema}.graph_entities"));
    }

    // The stand-in for the extraction model: the same two entities and one relation for any text.
    private static ScriptedChatClient ExtractionModel() => new((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(new
    {
        entities = new[] { new { name = "Alice Moreau", type = "person", description = "Founder of Zentrix." }, new { name = "Zentrix", type = "organization", description = "A company." } },
        relations = new[] { new { source = "Alice Moreau", relation = "founded", target = "Zentrix", description = "Alice Moreau founded Zentrix." } },
    }))));
}
