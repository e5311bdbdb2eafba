using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Hosting.Models;
using AgentKit.Rag.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary><c>search_knowledge</c> searches the knowledge bases of the agent that calls it, and only those.</summary>
public sealed class KnowledgeToolTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task SearchKnowledge_SearchesTheCallingAgentsBasesOnly()
    {
        var manuals = Directory.CreateDirectory(Path.Combine(_hosts.ContentRoot, "manuals")).FullName;
        foreach (var (name, markdown) in Corpus.Files)
        {
            await File.WriteAllTextAsync(Path.Combine(manuals, name), markdown, TestContext.Current.CancellationToken);
        }

        var blank = Directory.CreateDirectory(Path.Combine(_hosts.ContentRoot, "blank")).FullName;
        await File.WriteAllTextAsync(Path.Combine(blank, "greetings.md"), "# Greetings\n\nSay hello and smile.", TestContext.Current.CancellationToken);
        var model = new ScriptedChatClient((messages, _) => messages[^1].Contents.OfType<FunctionResultContent>().Any()
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "Answered."))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("k1", "search_knowledge", new Dictionary<string, object?> { ["query"] = "drain the tank before frost", ["top"] = 2 })])));
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Models:words:Provider"] = "Lexical",
            ["AgentKit:Models:words:Kind"] = "Embedding",
            ["AgentKit:DefaultEmbeddingModel"] = "words",
            ["AgentKit:Knowledge:manuals:Sources:0"] = "manuals",
            ["AgentKit:Knowledge:blank:Sources:0"] = "blank",
            ["AgentKit:Agents:fixer:Instructions"] = "Fix things.",
            ["AgentKit:Agents:fixer:Knowledge:0"] = "manuals",
            ["AgentKit:Agents:greeter:Instructions"] = "Greet.",
            ["AgentKit:Agents:greeter:Knowledge:0"] = "blank",
        }));
        builder.AddAgentKit();
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("chat"), model);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        foreach (var name in new[] { "manuals", "blank" })
        {
            await host.Services.GetRequiredKeyedService<AgentKit.Rag.Knowledge.KnowledgeBase>(name).WhenIngestedAsync(TestContext.Current.CancellationToken);
        }

        var runner = host.Services.GetRequiredService<AgentRunner>();

        var fixer = await SearchAsync(runner, "fixer");
        var greeter = await SearchAsync(runner, "greeter");

        Assert.Contains("Drain the tank", fixer, StringComparison.Ordinal);
        Assert.Contains("winter.md", fixer, StringComparison.Ordinal);
        Assert.DoesNotContain("Drain the tank", greeter, StringComparison.Ordinal);
        Assert.Contains("greetings.md", greeter, StringComparison.Ordinal);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<string> SearchAsync(AgentRunner runner, string agent)
    {
        var session = await runner.CreateSessionAsync(agent, TestContext.Current.CancellationToken);
        await foreach (var evt in session.RunStreamingAsync("How do I store it for winter?", TestContext.Current.CancellationToken))
        {
            if (evt is ToolResultEvent result)
            {
                Assert.Equal(Abstractions.Tools.ToolCallStatus.Succeeded, result.Status);
                return result.Result;
            }
        }

        throw new Xunit.Sdk.XunitException($"Agent '{agent}' made no tool call.");
    }
}
