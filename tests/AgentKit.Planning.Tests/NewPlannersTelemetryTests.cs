using AgentKit.Abstractions.Diagnostics;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static AgentKit.Planning.Tests.ScriptedReplies;

namespace AgentKit.Planning.Tests;

/// <summary>PAL, self-check, critique, debate and least-to-most, selected by name, report runs and steps like the other planners.</summary>
public sealed class NewPlannersTelemetryTests
{
    /// <summary>A scripted model that answers each planning prompt in its expected form, always with 8.</summary>
    private static ChatResponse Answer(IReadOnlyList<ChatMessage> messages, ChatOptions? options) =>
        Is(messages, Pal) ? Text("```javascript\nconsole.log(4 * 2)\n```")
        : Is(messages, Verify) || Is(messages, Critic) ? Text("""{"accept": true, "feedback": ""}""")
        : Is(messages, Decompose) ? Text("""{"subquestions": ["How many groups?"]}""")
        : Text("4 groups at $2: 4 x 2 = 8. The answer is 8.");

    [Theory]
    [InlineData(PlannerNames.ProgramAided, 1)]
    [InlineData(PlannerNames.SelfCheck, 2)]
    [InlineData(PlannerNames.Critique, 2)]
    [InlineData(PlannerNames.Debate, 3)]
    [InlineData(PlannerNames.LeastToMost, 3)]
    public async Task SelectedByName_AnswersAndReportsItsRunAndSteps(string name, int calls)
    {
        using var services = new ServiceCollection()
            .AddAgentKitPrompts(o => { o.RootDirectory = RepositoryPrompts.Folder; o.WatchForChanges = false; })
            .AddAgentKitPlanning(new ConfigurationBuilder().Build())
            .BuildServiceProvider();
        var client = new ScriptedChatClient(Answer);
        using var spans = new ActivityCollector(AgentKitTelemetry.PlanningSourceName);
        using var metrics = new MeasurementCollector(AgentKitTelemetry.PlanningSourceName);
        using var root = ActivityCollector.StartRoot();

        var result = await services.GetRequiredService<IPlannerFactory>().Create(name)
            .RunAsync(client, new PlanningRequest("A shop sells pens at 3 for $2. How much do 12 pens cost?") { Format = AnswerFormat.Number }, TestContext.Current.CancellationToken);

        Assert.Equal(PlanningOutcome.Answered, result.Outcome);
        Assert.Equal("8", result.Answer);
        Assert.Equal(name, result.Planner);
        Assert.Equal(calls, result.ModelCalls);
        var trace = spans.InTrace(root.TraceId);
        var run = Assert.Single(trace, a => a.OperationName == "planner.run");
        Assert.Equal(name, run.GetTagItem(TelemetryAttributes.PlannerStrategy));
        Assert.Equal(calls, run.GetTagItem(TelemetryAttributes.PlannerModelCalls));
        var steps = trace.Where(a => a.OperationName == "planner.step" && a.ParentSpanId == run.SpanId).ToList();
        Assert.Equal(calls, steps.Count(s => Equals(s.GetTagItem(TelemetryAttributes.PlannerStepKind), "ModelCall")));
        Assert.Equal(result.Trace.Steps.Count(s => s.Kind != TraceStepKind.ModelCall), steps.Count(s => !Equals(s.GetTagItem(TelemetryAttributes.PlannerStepKind), "ModelCall")));
        Assert.Contains(metrics.Of("agentkit.planner.model_calls"), m => m.Value == calls && Equals(m.Tag(TelemetryAttributes.PlannerStrategy), name));
    }
}
