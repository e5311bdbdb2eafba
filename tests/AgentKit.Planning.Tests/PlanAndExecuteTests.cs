using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

public sealed class PlanAndExecuteTests
{
    private static readonly AIFunction Lookup = AIFunctionFactory.Create((string city) => $"{city}: 2.1 million inhabitants", "lookup", "Looks up a city's population.");
    private static readonly AIFunction Census = AIFunctionFactory.Create(string (string city) => throw new InvalidOperationException("census service down"), "census", "Queries the census.");

    private static PlanAndExecutePlanner Planner => new(RepositoryPrompts.Registry);

    [Fact]
    public async Task FailingTool_TriggersARevisionOfTheRemainingSteps_AndTheRunCompletes()
    {
        var client = new ScriptedChatClient(
            """{"steps": [{"description": "Query the census for Paris", "tool": "census"}, {"description": "Report the population"}]}""",
            """{"thought": "Use the census.", "action": {"tool": "census", "arguments": {"city": "Paris"}}}""",
            """{"steps": [{"description": "Look up Paris", "tool": "lookup"}, {"description": "Report the population"}]}""",
            """{"thought": "Look it up.", "action": {"tool": "lookup", "arguments": {"city": "Paris"}}}""",
            """{"thought": "Found it.", "result": "2.1 million"}""",
            """{"thought": "Report.", "result": "Paris has about 2.1 million inhabitants."}""");
        var result = await Planner.RunAsync(client, "How many people live in Paris?", new PlanAndExecuteOptions { Tools = [Lookup, Census] },
            TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.Equal("Paris has about 2.1 million inhabitants.", result.Answer);
        Assert.Equal(2, result.Plans.Count);
        Assert.Null(result.Plans[0].Problem);
        Assert.Contains("census service down", result.Plans[1].Problem, StringComparison.Ordinal);
        Assert.Equal(["Look up Paris", "Report the population"], result.Plans[1].Steps.Select(s => s.Description));
        Assert.Equal(["Look up Paris", "Report the population"], result.Executed.Select(e => e.Step.Description));
        Assert.Equal("Paris: 2.1 million inhabitants", result.Executed[0].ToolCalls[0].Observation);
        var replan = client.Calls[2].Messages[^1].Text;
        Assert.Contains("Failed step: Query the census for Paris", replan, StringComparison.Ordinal);
        Assert.Contains("census service down", replan, StringComparison.Ordinal);
        Assert.Equal(2, result.Trace.Steps.Count(s => s.Kind == TraceStepKind.Plan));
        Assert.Equal(6, result.ModelCalls);
    }

    [Fact]
    public async Task ExecutorReportedContradiction_RevisesInsteadOfPressingOn_KeepingCompletedSteps()
    {
        var client = new ScriptedChatClient(
            """{"steps": [{"description": "Check the opening hours"}, {"description": "Visit on Sunday"}, {"description": "Report"}]}""",
            """{"thought": "Known.", "result": "Closed on Sundays."}""",
            """{"thought": "The shop is closed then.", "invalidates_plan": true, "reason": "the shop is closed on Sundays"}""",
            """{"steps": [{"description": "Visit on Monday"}, {"description": "Report"}]}""",
            """{"thought": "Ok.", "result": "Visited Monday."}""",
            """{"thought": "Ok.", "result": "Go on Monday."}""");
        var result = await Planner.RunAsync(client, "When should I visit the shop?", null, TestContext.Current.CancellationToken);

        Assert.Equal("Go on Monday.", result.Answer);
        Assert.Equal("the shop is closed on Sundays", result.Plans[1].Problem);
        Assert.Equal(["Check the opening hours", "Visit on Monday", "Report"], result.Plans[1].Steps.Select(s => s.Description));
        Assert.Equal(["Check the opening hours", "Visit on Monday", "Report"], result.Executed.Select(e => e.Step.Description));
        Assert.Contains("Check the opening hours => Closed on Sundays.", client.Calls[3].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revisions_AreBounded()
    {
        var client = new ScriptedChatClient(
            """{"steps": [{"description": "Query the census", "tool": "census"}]}""",
            """{"thought": "Census.", "action": {"tool": "census", "arguments": {"city": "Paris"}}}""",
            """{"steps": [{"description": "Query the census again", "tool": "census"}]}""",
            """{"thought": "Census.", "action": {"tool": "census", "arguments": {"city": "Paris"}}}""");
        var result = await Planner.RunAsync(client, "Population?", new PlanAndExecuteOptions { Tools = [Census], MaxRevisions = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.NoAnswer, result.Outcome);
        Assert.Contains("after 1 revision(s)", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, result.Plans.Count);
        Assert.Equal(4, client.Calls.Count);
    }
}
