using System.Text.Json;
using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Planning;
using AgentKit.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.AgentFramework.Tests;

public sealed class AgentKitAIAgentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-maf-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_AnswersThroughAgentKit_AndTheSessionKeepsTheHistory(bool streaming)
    {
        var model = new ScriptedChatClient("It is 12 degrees.", "Yes, take a jacket.");
        using var services = Services(model);
        var agent = new AgentKitAIAgent(services.GetRequiredService<AgentRunner>(), "helper");
        var session = await agent.CreateSessionAsync(TestContext.Current.CancellationToken);

        var first = await Run(agent, "Weather in Oslo?", session, streaming);
        var second = await Run(agent, "Do I need a jacket?", session, streaming);

        Assert.Equal("It is 12 degrees.", first.Text);
        Assert.Equal("Yes, take a jacket.", second.Text);
        Assert.Equal("helper", agent.Name);
        var sessionId = ((AgentKitSession)session).SessionId;
        if (streaming)
        {
            Assert.Equal("Completed", second.AdditionalProperties![AgentKitAIAgent.RunOutcomeKey]);
        }
        else
        {
            var result = Assert.IsType<AgentRunResult>(second.AdditionalProperties![AgentKitAIAgent.RunResultKey]);
            Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
            Assert.Equal(sessionId, result.SessionId);
        }

        // The second model call saw the first turn: the history came from AgentKit's session store.
        Assert.Contains(model.Calls[1].Messages, m => m.Text == "It is 12 degrees.");
        var history = await (await services.GetRequiredService<AgentRunner>().OpenSessionAsync(sessionId, TestContext.Current.CancellationToken)).GetHistoryAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["Weather in Oslo?", "It is 12 degrees.", "Do I need a jacket?", "Yes, take a jacket."], history.Select(m => m.Text));
    }

    [Fact]
    public async Task SerialisedSession_IsItsId_AndResumesInAnotherProcessOnTheSameStore()
    {
        var database = Path.Combine(_folder, "sessions.db");
        JsonElement saved;
        using (var services = Services(new ScriptedChatClient("Noted: order SB-1."), database))
        {
            var agent = new AgentKitAIAgent(services.GetRequiredService<AgentRunner>(), "helper");
            var session = await agent.CreateSessionAsync(TestContext.Current.CancellationToken);
            await agent.RunAsync("Remember order SB-1.", session, cancellationToken: TestContext.Current.CancellationToken);
            saved = await agent.SerializeSessionAsync(session, cancellationToken: TestContext.Current.CancellationToken);
        }

        var model = new ScriptedChatClient("Your order is SB-1.");
        using var again = Services(model, database);
        var resumed = new AgentKitAIAgent(again.GetRequiredService<AgentRunner>(), "helper");
        var restored = await resumed.DeserializeSessionAsync(saved, cancellationToken: TestContext.Current.CancellationToken);
        await resumed.RunAsync("Which order?", restored, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["sessionId"], saved.EnumerateObject().Select(p => p.Name));
        Assert.Contains(model.Calls[0].Messages, m => m.Text == "Remember order SB-1.");
    }

    [Fact]
    public async Task DeserializeSession_RefusesForeignJson_UnknownIds_AndOtherAgentsSessions()
    {
        using var services = Services(new ScriptedChatClient("ok"));
        var runner = services.GetRequiredService<AgentRunner>();
        var agent = new AgentKitAIAgent(runner, "helper");
        var other = await runner.CreateSessionAsync("other", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<JsonException>(() => agent.DeserializeSessionAsync(JsonSerializer.SerializeToElement(new[] { 1 }), cancellationToken: TestContext.Current.CancellationToken).AsTask());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => agent.DeserializeSessionAsync(JsonSerializer.SerializeToElement(new { sessionId = "missing" }), cancellationToken: TestContext.Current.CancellationToken).AsTask());
        var error = await Assert.ThrowsAsync<JsonException>(() => agent.DeserializeSessionAsync(JsonSerializer.SerializeToElement(new { sessionId = other.Id }), cancellationToken: TestContext.Current.CancellationToken).AsTask());
        Assert.Contains("'other'", error.Message, StringComparison.Ordinal);
        Assert.Throws<AgentNotFoundException>(() => new AgentKitAIAgent(runner, "nobody"));
    }

    [Fact]
    public async Task Streaming_WithAPlanner_StreamsThePlannersTextAsReasoning_BeforeTheAnswer()
    {
        const string reasoning = "Twelve eggs make a dozen, so half a dozen is 6. The answer is 6.";
        var model = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant,
            messages.Any(m => m.Text.Contains("reasoning pass ran", StringComparison.Ordinal)) ? "Six."
            : messages[0].Text.StartsWith("You read a worked solution", StringComparison.Ordinal) ? """{"answer": "6"}"""
            : reasoning)))
        {
            StreamChunkLength = 7,
        };
        var solver = Agent("solver") with { Planner = new PlanningAgentPlanner(PlannerNames.ChainOfThought) };
        using var services = Services(model, agents: [solver], configure: s => s
            .AddAgentKitPrompts(o => { o.RootDirectory = PromptsFolder(); o.WatchForChanges = false; })
            .AddAgentKitPlanning());
        var agent = new AgentKitAIAgent(services.GetRequiredService<AgentRunner>(), "solver");
        var session = await agent.CreateSessionAsync(TestContext.Current.CancellationToken);

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("How many eggs in half a dozen?", session, cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        var thinking = updates.Where(u => u.Contents.Any(c => c is TextReasoningContent)).ToList();
        Assert.True(thinking.Count > 1);
        Assert.All(thinking, u => Assert.Equal(PlannerNames.ChainOfThought, u.AdditionalProperties![AgentKitAIAgent.PlannerKey]));
        var cot = thinking.Where(u => (string?)u.AdditionalProperties![AgentKitAIAgent.PlannerStepKey] == "planning/cot");
        Assert.Equal(reasoning, string.Concat(cot.SelectMany(u => u.Contents.OfType<TextReasoningContent>()).Select(c => c.Text)));
        Assert.True(updates.IndexOf(thinking[^1]) < updates.FindIndex(u => u.Text.Length > 0));
        Assert.Equal("Six.", updates.ToAgentResponse().Text);
    }

    private static string PromptsFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AgentKit.sln")))
            {
                return Path.Combine(folder.FullName, "prompts");
            }
        }

        throw new DirectoryNotFoundException($"No repository above {AppContext.BaseDirectory}.");
    }

    private static async Task<AgentResponse> Run(AIAgent agent, string input, Microsoft.Agents.AI.AgentSession session, bool streaming)
    {
        if (!streaming)
        {
            return await agent.RunAsync(input, session, cancellationToken: TestContext.Current.CancellationToken);
        }

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync(input, session, cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToAgentResponse();
    }

    private ServiceProvider Services(IChatClient model, string? database = null, AgentDefinition[]? agents = null, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection()
            .AddSingleton(model)
            .AddAgentKitAgents(database ?? Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db"))
            .AddAgentKitTools([]);
        configure?.Invoke(services);
        foreach (var agent in agents ?? [Agent("helper"), Agent("other")])
        {
            services.AddAgent(agent);
        }

        return services.BuildServiceProvider();
    }

    private static AgentDefinition Agent(string name) => new()
    {
        Name = name,
        Instructions = AgentInstructions.Literal($"You are the {name}."),
    };
}
