using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Graph;
using AgentKit.Rag.Knowledge;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary><c>AgentKit:Graph</c> from configuration: ingestion feeds the graph, summaries refresh, global search answers.</summary>
public sealed class GraphHostingTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task ConfiguredGraph_IsFedByTheKnowledgeBase_SummarizesCommunities_AndAnswersGlobalQuestions()
    {
        var ct = TestContext.Current.CancellationToken;
        var docs = Directory.CreateDirectory(Path.Combine(_hosts.ContentRoot, "docs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(docs, "a.txt"), "Alice Moreau founded Zentrix, a maker of solar inverters.", ct);
        var model = ScriptedGraphModel();
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Models:words:Provider"] = "Lexical",
            ["AgentKit:Models:words:Kind"] = "Embedding",
            ["AgentKit:DefaultEmbeddingModel"] = "words",
            ["AgentKit:Knowledge:docs:Sources:0"] = "docs",
            ["AgentKit:Knowledge:docs:UseGraph"] = "true",
            ["AgentKit:Knowledge:docs:AnswerMode"] = "Global",
            ["AgentKit:Graph:Communities:RefreshDelay"] = "00:00:00.05",
            ["AgentKit:Tools:Plugins:0"] = "graph",
        }));
        builder.AddAgentKit();
        builder.Services.AddKeyedSingleton<IChatClient>("chat", model);
        using var host = builder.Build();
        var refreshed = new TaskCompletionSource<CommunityRefreshReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<CommunitySummarizer>().Refreshed += (_, report) =>
        {
            if (report.Communities > 0)
            {
                refreshed.TrySetResult(report);
            }
        };

        await host.StartAsync(ct);
        await host.Services.GetRequiredKeyedService<KnowledgeBase>("docs").WhenIngestedAsync(ct);
        var report = await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(1, report.Summarized);
        var options = host.Services.GetRequiredService<IOptions<GraphOptions>>().Value;
        Assert.Equal("vectors.db", Path.GetFileName(options.Store.Path));
        var tools = new List<string>();
        foreach (var source in host.Services.GetServices<IToolSource>())
        {
            tools.AddRange((await source.GetToolsAsync(ct)).Select(t => t.Name));
        }

        Assert.Contains(GraphGlobalSearch.ToolName, tools);
        var answer = await host.Services.GetRequiredService<GraphGlobalSearch>().SearchAsync("What are the main themes?", ct);
        Assert.True(answer.Answered);
        Assert.Contains("solar", answer.Answer, StringComparison.Ordinal);
        Assert.Single(answer.Evidence);

        // The knowledge base's configured answer mode: global search, citing the chunk behind the community.
        var global = await host.Services.GetRequiredKeyedService<KnowledgeBase>("docs").AnswerAsync("What are the main themes?", cancellationToken: ct);
        Assert.Equal(AgentKit.Rag.Answers.RagAnswerMode.Global, global.Mode);
        Assert.Equal("The main theme is solar inverters [1].", global.Text);
        Assert.Equal("a.txt", Path.GetFileName(Assert.Single(global.UsedCitations).Chunk.Source));
        await host.StopAsync(ct);
    }

    [Fact]
    public async Task GlobalAnswerMode_WithoutAGraph_FailsAtStart_NamingTheKey()
    {
        Directory.CreateDirectory(Path.Combine(_hosts.ContentRoot, "docs"));
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Knowledge:docs:Sources:0"] = "docs",
            ["AgentKit:Knowledge:docs:AnswerMode"] = "Global",
        }));
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.StartsWith("AgentKit:Knowledge:docs:AnswerMode: Global answers from the knowledge graph", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, typeof(AgentKit.Storage.PostgreSql.Graph.PostgreSqlGraphStore))]
    [InlineData("PostgreSql", typeof(AgentKit.Storage.PostgreSql.Graph.PostgreSqlGraphStore))]
    [InlineData("Sqlite", typeof(SqliteGraphStore))]
    public void RuntimeStoreOnPostgreSql_KeepsTheGraphThere_UnlessStoreProviderNamesSqlite(string? provider, Type expected)
    {
        var settings = CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Storage:Provider"] = "PostgreSql",
            ["AgentKit:Storage:PostgreSql:ConnectionString"] = "Host=127.0.0.1;Port=9;Database=agentkit;Username=agentkit",
            ["AgentKit:Graph:Store:MaxEntities"] = "1000",
            ["AgentKit:Graph:Store:Provider"] = provider,
        });
        var builder = _hosts.Builder(settings);
        builder.AddAgentKit();
        using var host = builder.Build();

        var store = host.Services.GetRequiredService<IGraphStore>();

        Assert.IsType(expected, store);
        Assert.Equal(expected == typeof(SqliteGraphStore) ? GraphStoreProvider.Sqlite : GraphStoreProvider.PostgreSql, host.Services.GetRequiredService<IOptions<GraphOptions>>().Value.Store.Provider);
    }

    [Fact]
    public void RuntimeStoreOnSqlite_KeepsTheGraphInTheVectorStoresFile()
    {
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new() { ["AgentKit:Graph:Store:MaxEntities"] = "1000" }));
        builder.AddAgentKit();
        using var host = builder.Build();

        Assert.IsType<SqliteGraphStore>(host.Services.GetRequiredService<IGraphStore>());
        Assert.Equal(GraphStoreProvider.Sqlite, host.Services.GetRequiredService<IOptions<GraphOptions>>().Value.Store.Provider);
    }

    [Fact]
    public async Task GraphOnPostgreSql_WithTheRuntimeStoreOnSqlite_FailsAtStart_NamingBothKeys()
    {
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new() { ["AgentKit:Graph:Store:Provider"] = "PostgreSql" }));
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        var failure = Assert.Single(error.Failures, f => f.StartsWith("AgentKit:Graph:Store:Provider:", StringComparison.Ordinal));
        Assert.Contains("AgentKit:Storage:Provider must be PostgreSql", failure, StringComparison.Ordinal);
    }

    // The stand-in for the one chat model: it extracts, summarises, maps and reduces, each from the prompt's data.
    private static ScriptedChatClient ScriptedGraphModel() => new((messages, _) =>
    {
        var user = messages.First(m => m.Role == ChatRole.User).Text;
        string answer;
        if (user.Contains("<text>", StringComparison.Ordinal))
        {
            answer = JsonSerializer.Serialize(new
            {
                entities = new[] { new { name = "Alice Moreau", type = "person", description = "Founder of Zentrix." }, new { name = "Zentrix", type = "organization", description = "A maker of solar inverters." } },
                relations = new[] { new { source = "Alice Moreau", relation = "founded", target = "Zentrix", description = "Alice Moreau founded Zentrix." } },
            });
        }
        else if (user.Contains("<community>", StringComparison.Ordinal))
        {
            answer = JsonSerializer.Serialize(new { title = "Zentrix and its founder", summary = "Alice Moreau founded Zentrix, a maker of solar inverters.", rating = 7 });
        }
        else if (user.Contains("<reports>", StringComparison.Ordinal))
        {
            answer = JsonSerializer.Serialize(new { points = new[] { new { text = "Solar inverters made by Zentrix.", rating = 70, reports = new[] { 1 } } } });
        }
        else
        {
            answer = JsonSerializer.Serialize(new { answer = "The main theme is solar inverters [1].", cited = new[] { 1 } });
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer));
    });
}
