using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Hosting.Models;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary><c>search_knowledge</c> searches the knowledge bases of the agent that calls it, and only those.</summary>
public sealed class KnowledgeToolTests : IAsyncLifetime
{
    private readonly TestHosts _hosts = new();
    private KnowledgeBase _manuals = null!;
    private SqliteChunkStore _blank = null!;

    public async ValueTask InitializeAsync()
    {
        _manuals = await Corpus.CreateAsync(TestContext.Current.CancellationToken);
        _blank = await SqliteChunkStore.OpenAsync(new HashingEmbeddingGenerator(), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _manuals.DisposeAsync();
        await _blank.DisposeAsync();
        _hosts.Dispose();
    }

    [Fact]
    public async Task SearchKnowledge_SearchesTheCallingAgentsBasesOnly()
    {
        var model = new ScriptedChatClient((messages, _) => messages[^1].Contents.OfType<FunctionResultContent>().Any()
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "Answered."))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("k1", "search_knowledge", new Dictionary<string, object?> { ["query"] = "drain the tank before frost", ["top"] = 2 })])));
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Knowledge:manuals:Sources:0"] = "manuals",
            ["AgentKit:Knowledge:blank:Sources:0"] = "blank",
            ["AgentKit:Agents:fixer:Instructions"] = "Fix things.",
            ["AgentKit:Agents:fixer:Knowledge:0"] = "manuals",
            ["AgentKit:Agents:greeter:Instructions"] = "Greet.",
            ["AgentKit:Agents:greeter:Knowledge:0"] = "blank",
        }));
        builder.AddAgentKit();
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("chat"), model);
        builder.Services.AddKeyedSingleton("manuals", _manuals.Retriever());
        builder.Services.AddKeyedSingleton("blank", new RagRetriever(_blank.Collection, new HashingEmbeddingGenerator()));
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var runner = host.Services.GetRequiredService<AgentRunner>();

        var fixer = await SearchAsync(runner, "fixer");
        var greeter = await SearchAsync(runner, "greeter");

        Assert.Contains("Drain the tank", fixer, StringComparison.Ordinal);
        Assert.Contains("winter.md", fixer, StringComparison.Ordinal);
        Assert.DoesNotContain("Drain the tank", greeter, StringComparison.Ordinal);
        Assert.Equal("[]", greeter.Trim());
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<string> SearchAsync(AgentRunner runner, string agent)
    {
        var session = await runner.CreateSessionAsync(agent, TestContext.Current.CancellationToken);
        await foreach (var evt in session.RunStreamingAsync("How do I store it for winter?", TestContext.Current.CancellationToken))
        {
            if (evt is ToolResultEvent result)
            {
                Assert.Equal(Agents.Tools.ToolCallStatus.Succeeded, result.Status);
                return result.Result;
            }
        }

        throw new Xunit.Sdk.XunitException($"Agent '{agent}' made no tool call.");
    }
}
