using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static AgentKit.Planning.Tests.ScriptedReplies;

namespace AgentKit.Planning.Tests;

public sealed class CritiqueTests
{
    private const string Question = "A train leaves at 09:40 and arrives at 11:15. How many minutes is the trip?";

    private static CritiquePlanner Planner => new(RepositoryPrompts.Registry);

    private static CritiqueOptions Options(int revisions = 3) => new() { Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxRevisions = revisions };

    [Fact]
    public async Task CriticOnAnotherModel_ReviewsUntilItAccepts()
    {
        var answerer = new ScriptedChatClient("1 h 35 min is 60 + 15 = 75. The answer is 75.", "1 h 35 min is 60 + 35 = 95. The answer is 95.");
        var critic = new ScriptedChatClient(
            """{"accept": false, "feedback": "35 minutes, not 15: 60 + 35."}""",
            """{"accept": true, "feedback": "Correct."}""");

        var result = await Planner.RunAsync(answerer, critic, Question, Options(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.True(result.Accepted);
        Assert.Equal("95", result.Answer);
        Assert.Equal(4, result.ModelCalls);
        Assert.All(critic.Calls, c => Assert.True(Is(c.Messages, Critic)));
        Assert.DoesNotContain(answerer.Calls, c => Is(c.Messages, Critic));
        Assert.Contains("review 2", critic.Calls[1].Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("35 minutes, not 15", answerer.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutACritic_TheAnswererPlaysTheCritic()
    {
        var client = new ScriptedChatClient("The answer is 95.", """{"accept": true, "feedback": ""}""");

        var result = await Planner.RunAsync(client, null, Question, Options(), TestContext.Current.CancellationToken);

        Assert.True(result.Accepted);
        Assert.True(Is(client.Calls[1].Messages, Critic));
    }

    [Fact]
    public async Task CallBudget_IsSharedByAnswererAndCritic()
    {
        var answerer = new ScriptedChatClient((_, _) => Text("The answer is 75."));
        var critic = new ScriptedChatClient((_, _) => Text("""{"accept": false, "feedback": "Wrong."}"""));

        var result = await Planner.RunAsync(answerer, critic, Question, Options() with { Budget = new PlanningBudget { MaxCalls = 4 } }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(4, result.ModelCalls);
        Assert.Equal(2, answerer.CallCount);
        Assert.Equal(2, critic.CallCount);
        Assert.Equal("75", result.Answer);
        Assert.False(result.Accepted);
    }

    [Fact]
    public async Task SelectedByName_TheCriticIsTheConfiguredKeyedClient()
    {
        var answerer = new ScriptedChatClient("The answer is 95.");
        var critic = new ScriptedChatClient("""{"accept": true, "feedback": ""}""");
        using var services = Services(new() { ["AgentKit:Planning:Critique:CriticModel"] = "strong" }, s => s.AddKeyedSingleton<IChatClient>("strong", critic));

        var result = await services.GetRequiredService<IPlannerFactory>().Create("critique")
            .RunAsync(answerer, new PlanningRequest(Question) { Format = AnswerFormat.Number }, TestContext.Current.CancellationToken);

        Assert.Equal("95", Assert.IsType<ReviewedResult>(result).Answer);
        Assert.Equal(1, critic.CallCount);
        Assert.Equal(1, answerer.CallCount);
    }

    [Fact]
    public void UnknownCriticModel_FailsAtStart_NamingTheKey()
    {
        using var services = Services(new() { ["AgentKit:Planning:Critique:CriticModel"] = "missing" }, _ => { });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PlanningOptions>>().Value);
        Assert.Contains("AgentKit:Planning:Critique:CriticModel", error.Message, StringComparison.Ordinal);
        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<IServiceCollection> more)
    {
        var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        more(services);
        return services.BuildServiceProvider();
    }
}
