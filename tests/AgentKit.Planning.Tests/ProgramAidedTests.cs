using AgentKit.Sandbox;
using AgentKit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Planning.Tests;

public sealed class ProgramAidedTests
{
    private const string Question = "Olivia has $23. She bought five bagels for $3 each. How much money does she have left?";

    private static readonly JavaScriptSandbox Sandbox = new(new SandboxOptions { Timeout = TimeSpan.FromSeconds(1), MaxStatements = 100_000 });

    private static ProgramAidedPlanner Planner => new(RepositoryPrompts.Registry, Sandbox);

    private static ProgramAidedOptions Number(int attempts = 3) => new() { Format = AnswerFormat.Number, MaxAttempts = attempts };

    private static string Js(string code) => $"Here is the program:\n```javascript\n{code}\n```";

    [Fact]
    public async Task Answer_IsWhatTheProgramPrinted_ComputedByTheSandbox()
    {
        var client = new ScriptedChatClient(Js("const money = 23;\nconst bagels = 5 * 3;\nconsole.log(money - bagels);"));

        var result = await Planner.RunAsync(client, Question, Number(), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.Equal("8", result.Answer);
        Assert.Equal(1, result.ModelCalls);
        var attempt = Assert.Single(result.Attempts);
        Assert.Null(attempt.Error);
        Assert.Equal("8\n", attempt.Output);
        Assert.Contains(result.Trace.Steps, s => s.Kind == TraceStepKind.ToolCall && s.Name == RunCodeTool.Name && s.Output == "8\n");
        Assert.StartsWith(ScriptedReplies.Pal, client.Calls[0].Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("as a single number", client.Calls[0].Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingProgram_ItsErrorIsFedBack_AndTheCorrectionAnswers()
    {
        var client = new ScriptedChatClient(Js("console.log(23 - 5 * bagel);"), Js("const bagel = 3;\nconsole.log(23 - 5 * bagel);"));

        var result = await Planner.RunAsync(client, Question, Number(), TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Equal(2, result.Attempts.Count);
        Assert.Contains("bagel", result.Attempts[0].Error, StringComparison.Ordinal);
        var retry = client.Calls[1].Messages[^1].Text;
        Assert.Contains("console.log(23 - 5 * bagel);", retry, StringComparison.Ordinal);
        Assert.Contains(result.Attempts[0].Error!, retry, StringComparison.Ordinal);
        Assert.Contains("Write a corrected program.", retry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileProgram_IsStoppedByTheSandboxLimit_AndReportedToTheModel()
    {
        var client = new ScriptedChatClient(Js("while (true) {}"), Js("console.log(8)"));

        var result = await Planner.RunAsync(client, Question, Number(), TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Matches("(?i)statement|time", result.Attempts[0].Error!);
    }

    [Theory]
    [InlineData("```javascript\nconsole.log('eight dollars')\n```", "is not a number answer")]
    [InlineData("```javascript\nconst x = 8;\n```", "printed nothing")]
    [InlineData("```javascript\n```", "held no program")]
    public async Task OutputThatIsNoAnswer_IsAFailureFedBack(string reply, string problem)
    {
        var client = new ScriptedChatClient(reply, Js("console.log(8)"));

        var result = await Planner.RunAsync(client, Question, Number(), TestContext.Current.CancellationToken);

        Assert.Equal("8", result.Answer);
        Assert.Contains(problem, result.Attempts[0].Error, StringComparison.Ordinal);
        Assert.Contains(problem, client.Calls[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryAttemptFailing_IsNoAnswer_NamingTheLastError()
    {
        var client = new ScriptedChatClient((_, _) => ScriptedReplies.Text(Js("throw new Error('nope ' + 1)")));

        var result = await Planner.RunAsync(client, Question, Number(attempts: 3), TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.NoAnswer, result.Outcome);
        Assert.Null(result.Answer);
        Assert.Equal(3, result.Attempts.Count);
        Assert.Equal(3, client.CallCount);
        Assert.Contains("nope 1", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallBudget_StopsTheRetries()
    {
        var client = new ScriptedChatClient((_, _) => ScriptedReplies.Text(Js("undefinedFunction()")));

        var result = await Planner.RunAsync(client, Question, Number(attempts: 5) with { Budget = new PlanningBudget { MaxCalls = 2 } }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(BudgetResource.Calls, result.BudgetExceeded!.Resource);
        Assert.Equal(2, result.ModelCalls);
        Assert.Equal(2, result.Attempts.Count);
    }

    [Fact]
    public async Task Cancellation_DuringTheRun_Throws()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var client = new ScriptedChatClient((_, _) =>
        {
            cts.Cancel();
            return ScriptedReplies.Text(Js("console.log(8)"));
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Planner.RunAsync(client, Question, Number(), cts.Token));
    }

    [Fact]
    public async Task SelectedByName_ProgramsRunWithinTheConfiguredSandboxLimits()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AgentKit:Sandbox:MaxCodeChars"] = "64" }).Build();
        using var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(configuration)
            .BuildServiceProvider();
        var client = new ScriptedChatClient(Js("const moneyOliviaHad = 23;\nconst costOfTheBagels = 5 * 3;\nconsole.log(moneyOliviaHad - costOfTheBagels);"), Js("console.log(8)"));

        var result = await services.GetRequiredService<IPlannerFactory>().Create("pal")
            .RunAsync(client, new PlanningRequest(Question) { Format = AnswerFormat.Number }, TestContext.Current.CancellationToken);

        var pal = Assert.IsType<ProgramAidedResult>(result);
        Assert.Equal("8", pal.Answer);
        Assert.Contains("AgentKit:Sandbox:MaxCodeChars", pal.Attempts[0].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("```js\nconsole.log(1)\n```", "console.log(1)")]
    [InlineData("text\n```\nconsole.log(2)\n```\nmore ```javascript\nx\n```", "console.log(2)")]
    [InlineData("console.log(3)", "console.log(3)")]
    public void Program_IsTheFirstFencedBlock_OrTheWholeReply(string reply, string program) =>
        Assert.Equal(program, ProgramAidedPlanner.Program(reply));
}
