using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Planning.Tests;

public sealed class SelectionTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings, IChatClient? chat = null, AgentDefinition? agent = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(configuration);
        if (chat is not null)
        {
            services.AddSingleton(chat).AddSingleton<ISessionStore, InMemorySessionStore>().AddAgentKitAgents();
        }

        if (agent is not null)
        {
            services.AddAgent(agent);
        }

        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("cot", PlannerNames.ChainOfThought)]
    [InlineData("Self-Consistency", PlannerNames.SelfConsistency)]
    [InlineData("TreeOfThoughts", PlannerNames.TreeOfThoughts)]
    [InlineData("react", PlannerNames.ReAct)]
    [InlineData("plan-execute", PlannerNames.PlanAndExecute)]
    [InlineData("PAL", PlannerNames.ProgramAided)]
    [InlineData("program-aided", PlannerNames.ProgramAided)]
    [InlineData("reflexion", PlannerNames.SelfCheck)]
    [InlineData("critique", PlannerNames.Critique)]
    [InlineData("debate", PlannerNames.Debate)]
    [InlineData("ltm", PlannerNames.LeastToMost)]
    public void Factory_CreatesByNameOrAlias(string name, string registered)
    {
        using var services = Services([]);
        Assert.Equal(registered, services.GetRequiredService<IPlannerFactory>().Create(name).Name);
    }

    [Fact]
    public void Factory_UnknownName_IsATypedErrorListingTheNames()
    {
        using var services = Services([]);
        var error = Assert.Throws<PlannerNotFoundException>(() => services.GetRequiredService<IPlannerFactory>().Create("monte-carlo"));
        Assert.Equal("monte-carlo", error.Name);
        Assert.Contains(PlannerNames.SelfConsistency, error.Message, StringComparison.Ordinal);
        Assert.Throws<PlannerNotFoundException>(() => services.GetRequiredService<IPlannerFactory>().Create("7"));
    }

    [Fact]
    public async Task Configuration_SetsTheDefaultPlannerAndItsOptions_AndRequestsOverrideThem()
    {
        using var services = Services(new()
        {
            ["AgentKit:Planning:DefaultPlanner"] = "SelfConsistency",
            ["AgentKit:Planning:SelfConsistency:Paths"] = "3",
            ["AgentKit:Planning:SelfConsistency:EarlyStop"] = "false",
        });
        var planner = services.GetRequiredService<IPlannerFactory>().CreateDefault();
        Assert.Equal(PlannerNames.SelfConsistency, planner.Name);

        var client = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "So the answer is 12.")));
        var result = await planner.RunAsync(client, new PlanningRequest("How many?") { Format = AnswerFormat.Number, Budget = new PlanningBudget { MaxCalls = 2 } },
            TestContext.Current.CancellationToken);

        var sc = Assert.IsType<SelfConsistencyResult>(result);
        Assert.Equal(3, sc.PathsRequested);
        Assert.Equal(2, sc.ModelCalls);
        Assert.Equal(PlanningOutcome.BudgetExceeded, sc.Outcome);
        Assert.Equal("12", sc.Answer);
    }

    [Fact]
    public async Task AgentPlanner_RunsTheConfiguredStrategyBeforeTheTurn_AndAddsItsGuidance()
    {
        var client = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant,
            messages.Any(m => m.Text.Contains("reasoning pass ran", StringComparison.Ordinal)) ? "It is 12." : "Twelve. The answer is 12.")));
        var agent = new AgentDefinition { Name = "solver", Instructions = AgentInstructions.Literal("You solve problems."), Planner = new PlanningAgentPlanner() };
        using var services = Services(new()
        {
            ["AgentKit:Planning:Agents:solver"] = "sc",
            ["AgentKit:Planning:SelfConsistency:Paths"] = "2",
            ["AgentKit:Planning:SelfConsistency:Extraction"] = "Parse",
        }, client, agent);

        var session = await services.GetRequiredService<AgentRunner>().CreateSessionAsync("solver", TestContext.Current.CancellationToken);
        var run = await session.RunAsync("How many eggs in a dozen?", TestContext.Current.CancellationToken);

        Assert.Equal(3, client.Calls.Count); // two self-consistency paths, then the agent's own call
        var guidance = client.Calls[2].Messages.Single(m => m.Text.Contains("reasoning pass ran", StringComparison.Ordinal));
        Assert.Equal(ChatRole.System, guidance.Role);
        Assert.Contains("A self-consistency reasoning pass", guidance.Text, StringComparison.Ordinal);
        Assert.Contains("It concluded: 12 (agreement 100% of sampled paths)", guidance.Text, StringComparison.Ordinal);
        Assert.Equal("How many eggs in a dozen?", client.Calls[2].Messages[^1].Text);
        Assert.NotNull(run);

        // Per call: the input's property picks another strategy.
        var input = new ChatMessage(ChatRole.User, "And half a dozen?") { AdditionalProperties = new() { [PlanningAgentPlanner.PlannerProperty] = "cot" } };
        client.Enqueue("Six. The answer is 6.").Enqueue("""{"answer": "6"}""").Enqueue("6.");
        await session.RunAsync(input, TestContext.Current.CancellationToken);
        Assert.Contains("A chain-of-thought reasoning pass", client.Calls[^1].Messages.Single(m => m.Text.Contains("reasoning pass ran", StringComparison.Ordinal)).Text, StringComparison.Ordinal);
    }
}
