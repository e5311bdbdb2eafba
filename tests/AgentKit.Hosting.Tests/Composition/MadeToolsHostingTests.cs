using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Hosting.Models;
using AgentKit.Sandbox.Making;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary>
/// The <c>tool-making</c> plugin from configuration: tools a scripted model (standing in for the LLM only) makes in one
/// host are kept in <c>data/made-tools.db</c> and, in the next host on the same folder, chosen by the tool selector
/// (the real MiniLM embedding model) like every other tool and called.
/// </summary>
public sealed class MadeToolsHostingTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _hosts.Dispose();
    }

    [Fact]
    public async Task ToolsMadeInOneHost_AreSelectedAndCalledInTheNextHost_OnceApproved()
    {
        var maker = new ScriptedChatClient();
        maker.Enqueue(Propose("p1", "celsius_to_fahrenheit", "Converts a temperature in degrees Celsius to degrees Fahrenheit.",
            """{"type":"object","properties":{"celsius":{"type":"number","description":"Temperature in degrees Celsius"}},"required":["celsius"]}""",
            "return input.celsius * 9 / 5 + 32;", """[{"input":{"celsius":100},"expected":212}]"""));
        maker.Enqueue(Propose("p2", "count_words", "Counts the words in a text.",
            """{"type":"object","properties":{"text":{"type":"string","description":"The text"}},"required":["text"]}""",
            "return input.text.split(/\\s+/).filter(w => w.length > 0).length;", """[{"input":{"text":"one two  three"},"expected":3}]"""));
        maker.Enqueue("Made both.");
        using (var host = await StartAsync(maker))
        {
            var results = await RunAsync(host, "Make a temperature converter and a word counter.");
            Assert.Equal(2, results.Count);
            Assert.All(results, r => Assert.True(JsonDocument.Parse(r.Result).RootElement.GetProperty("stored").GetBoolean(), r.Result));
            Assert.True(File.Exists(Path.Combine(_hosts.ContentRoot, "data", "made-tools.db")));
        }

        var user = new ScriptedChatClient();
        user.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "celsius_to_fahrenheit", new Dictionary<string, object?> { ["celsius"] = 37.5 })])));
        user.Enqueue("99.5 °F.");
        using (var host = await StartAsync(user))
        {
            // As `agentkit tools made approve` does: a person approves the tool before its first call.
            var store = host.Services.GetRequiredService<MadeToolStore>();
            Assert.True(await store.ApproveAsync(MadeToolScopes.ForAgent("lab"), "celsius_to_fahrenheit", cancellationToken: Ct));

            var results = await RunAsync(host, "What is 37.5 degrees Celsius in Fahrenheit?");

            var shown = user.Calls[0].Options!.Tools!.Select(t => t.Name).ToList();
            Assert.Contains("celsius_to_fahrenheit", shown);
            Assert.Contains("find_tools", shown);
            Assert.Equal(3, shown.Count);
            var result = Assert.Single(results);
            Assert.Equal((ToolCallStatus.Succeeded, "99.5"), (result.Status, result.Result));
        }
    }

    [Fact]
    public async Task AgentWithMadeTools_WithoutThePlugin_FailsAtStartNamingTheKey()
    {
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Agents:lab:Instructions"] = "Hi.",
            ["AgentKit:Agents:lab:MadeTools"] = "true",
        }));
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("AgentKit:Agents:lab:MadeTools", error.Message, StringComparison.Ordinal);
        Assert.Contains("tool-making", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolMakingOptions_OutOfRange_FailAtStartNamingTheKey()
    {
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(new()
        {
            ["AgentKit:Tools:Plugins:0"] = "tool-making",
            ["AgentKit:Tools:Making:MaxExamples"] = "0",
        }));
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("AgentKit:Tools:Making:MaxExamples", error.Message, StringComparison.Ordinal);
    }

    private async Task<IHost> StartAsync(IChatClient model)
    {
        // No embedding model is configured, so tool selection runs on the default, MiniLM.
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:chat:Provider"] = "OpenAI",
            ["AgentKit:Models:chat:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:chat:ApiKey"] = "k",
            ["AgentKit:Models:chat:Model"] = "m",
            ["AgentKit:Tools:Plugins:0"] = "tool-making",
            ["AgentKit:Tools:Plugins:1"] = "code",
            ["AgentKit:Agents:lab:Instructions"] = "Make tools and use them.",
            ["AgentKit:Agents:lab:Tools:0"] = ToolMakingTools.ProposeName,
            ["AgentKit:Agents:lab:Tools:1"] = ToolMakingTools.ListName,
            ["AgentKit:Agents:lab:Tools:2"] = ToolMakingTools.RemoveName,
            ["AgentKit:Agents:lab:Tools:3"] = "run_code",
            ["AgentKit:Agents:lab:MadeTools"] = "true",
            ["AgentKit:Agents:lab:ToolSelection:TopK"] = "2",
        });
        builder.AddAgentKit();
        builder.Services.AddKeyedSingleton(ModelKeys.ForAgents("chat"), model);
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }

    private static async Task<List<ToolResultEvent>> RunAsync(IHost host, string message)
    {
        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("lab", Ct);
        var results = new List<ToolResultEvent>();
        await foreach (var e in session.RunStreamingAsync(message, Ct))
        {
            if (e is ToolResultEvent result)
            {
                results.Add(result);
            }
        }

        await host.StopAsync(Ct);
        return results;
    }

    private static ChatResponse Propose(string id, string name, string description, string schema, string body, string examples) =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, ToolMakingTools.ProposeName, new Dictionary<string, object?>
        {
            ["name"] = name,
            ["description"] = description,
            ["parametersSchema"] = JsonDocument.Parse(schema).RootElement.Clone(),
            ["body"] = body,
            ["examples"] = JsonDocument.Parse(examples).RootElement.Clone(),
        })]));
}
