using System.Globalization;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

/// <summary>The <c>planner.run</c> and <c>planner.step</c> spans: strategy, branches, scores, tokens.</summary>
public sealed class TelemetryTests
{
    private static SelfConsistencyPlanner Planner => new(RepositoryPrompts.Registry);

    [Fact]
    public async Task SelfConsistency_ReportsRunWithOneStepPerPathAndTheVoteScore()
    {
        var answers = new Queue<string>(["So it is $1,000.", "The answer is 1000.00", "answer: 999", "#### 1e3"]);
        var client = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, answers.Dequeue()))
        {
            Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 7 },
            FinishReason = ChatFinishReason.Stop,
        });
        using var spans = new ActivityCollector(AgentKitTelemetry.PlanningSourceName);
        using var metrics = new MeasurementCollector(AgentKitTelemetry.PlanningSourceName);
        using var root = ActivityCollector.StartRoot();

        var result = await Planner.RunAsync(client, "How much?", new SelfConsistencyOptions
        {
            Paths = 4, Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, MaxConcurrency = 1, EarlyStop = false,
        }, TestContext.Current.CancellationToken);

        var trace = spans.InTrace(root.TraceId);
        var run = Assert.Single(trace, a => a.OperationName == "planner.run");
        Assert.Equal(root.SpanId, run.ParentSpanId);
        Assert.Equal($"planner.run {PlannerNames.SelfConsistency}", run.DisplayName);
        Assert.Equal(PlannerNames.SelfConsistency, run.GetTagItem(TelemetryAttributes.PlannerStrategy));
        Assert.Equal("Answered", run.GetTagItem(TelemetryAttributes.PlannerOutcome));
        Assert.Equal(4, run.GetTagItem(TelemetryAttributes.PlannerModelCalls));
        Assert.Equal(80L, run.GetTagItem(TelemetryAttributes.InputTokens));
        Assert.Equal(28L, run.GetTagItem(TelemetryAttributes.OutputTokens));

        var steps = trace.Where(a => a.OperationName == "planner.step").ToList();
        Assert.All(steps, s => Assert.Equal(run.SpanId, s.ParentSpanId));
        var calls = steps.Where(s => Equals(s.GetTagItem(TelemetryAttributes.PlannerStepKind), "ModelCall")).ToList();
        Assert.Equal(result.ModelCalls, calls.Count);
        Assert.Equal([0, 1, 2, 3], calls.Select(c => (int)c.GetTagItem(TelemetryAttributes.PlannerBranch)!).Order());
        Assert.All(calls, c =>
        {
            Assert.Equal(20L, c.GetTagItem(TelemetryAttributes.InputTokens));
            Assert.Equal(["stop"], (string[])c.GetTagItem(TelemetryAttributes.FinishReasons)!);
        });
        var vote = Assert.Single(steps, s => Equals(s.GetTagItem(TelemetryAttributes.PlannerStepName), "vote"));
        Assert.Equal("Decision", vote.GetTagItem(TelemetryAttributes.PlannerStepKind));
        Assert.Equal(0.75, (double)vote.GetTagItem(TelemetryAttributes.PlannerScore)!, 10);
        Assert.Equal(result.Confidence, (double)vote.GetTagItem(TelemetryAttributes.PlannerScore)!, 10);

        Assert.Contains(metrics.Of("agentkit.planner.model_calls"), m => m.Value == 4 && Equals(m.Tag(TelemetryAttributes.PlannerStrategy), PlannerNames.SelfConsistency));
        Assert.Contains(metrics.Of("agentkit.planner.run.duration"), m => Equals(m.Tag(TelemetryAttributes.PlannerOutcome), "Answered"));
    }

    [Fact]
    public async Task MultiSequenceBatches_ReportOneStepPerBatchWithItsFirstBranchAndSize()
    {
        var multi = new ScriptedMultiSequenceChatClient((messages, options) => new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Create(CultureInfo.InvariantCulture, $"#### {options?.Seed % 2}"))), maxSequences: 4);
        using var spans = new ActivityCollector(AgentKitTelemetry.PlanningSourceName);
        using var root = ActivityCollector.StartRoot();

        await Planner.RunAsync(multi, "Pick one.", new SelfConsistencyOptions
        {
            Paths = 10, Format = AnswerFormat.Number, Extraction = AnswerExtraction.Parse, EarlyStop = false, ChatOptions = new ChatOptions { Seed = 1 },
        }, TestContext.Current.CancellationToken);

        var batches = spans.InTrace(root.TraceId).Where(a => a.OperationName == "planner.step" && Equals(a.GetTagItem(TelemetryAttributes.PlannerStepKind), "ModelCall")).ToList();
        Assert.Equal([(0, 4), (4, 4), (8, 2)], batches.Select(b => ((int)b.GetTagItem(TelemetryAttributes.PlannerBranch)!, (int)b.GetTagItem("agentkit.planner.batch_size")!)).Order());
    }
}
