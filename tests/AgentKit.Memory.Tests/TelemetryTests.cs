using System.Diagnostics;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Memory.Tests.Support;
using AgentKit.Testing;

namespace AgentKit.Memory.Tests;

/// <summary>The <c>memory.write</c>, <c>memory.read</c> and <c>memory.reflect</c> spans and the memory metrics.</summary>
public sealed class TelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteThenRead_ReportSpansWithChangesAndHits()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var agent = "agent-" + Guid.NewGuid().ToString("N")[..8];
        using var spans = new ActivityCollector(AgentKitTelemetry.MemorySourceName);
        using var metrics = new MeasurementCollector(AgentKitTelemetry.MemorySourceName);
        using var root = ActivityCollector.StartRoot();

        await memory.RememberAsync(new MemoryScope(agent, "s1"), "The user has a dog called Rex.", new RememberOptions { Kind = MemoryKind.Fact }, Ct);
        var recalled = await memory.RecallAsync(new MemoryScope(agent), "What pet does the user have?", cancellationToken: Ct);

        var trace = spans.InTrace(root.TraceId);
        var write = Assert.Single(trace, a => a.OperationName == "memory.write");
        Assert.Equal(root.SpanId, write.ParentSpanId);
        Assert.Equal(agent, write.GetTagItem(TelemetryAttributes.MemoryAgentId));
        Assert.Equal(1, write.GetTagItem(TelemetryAttributes.MemoryAdded));
        Assert.Equal(0, write.GetTagItem(TelemetryAttributes.MemoryDeleted));
        Assert.Equal(5, write.GetTagItem("agentkit.memory.importance"));
        var read = Assert.Single(trace, a => a.OperationName == "memory.read");
        Assert.Equal(root.SpanId, read.ParentSpanId);
        Assert.Equal(1, read.GetTagItem(TelemetryAttributes.MemoryCandidates));
        Assert.Equal(recalled.Count, read.GetTagItem(TelemetryAttributes.MemoryHits));
        Assert.Single(recalled);
        Assert.True(read.StartTimeUtc >= write.StartTimeUtc + write.Duration);

        Assert.Contains(metrics.Of("agentkit.memory.changes"), m => m.Value == 1 && Equals(m.Tag(TelemetryAttributes.MemoryOperation), "add"));
        var durations = metrics.Of("agentkit.memory.operation.duration");
        Assert.Contains(durations, m => Equals(m.Tag(TelemetryAttributes.OperationName), "memory.write"));
        Assert.Contains(durations, m => Equals(m.Tag(TelemetryAttributes.OperationName), "memory.read"));
    }

    [Fact]
    public async Task Reflect_ReportsQuestionsAndInsights()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        var agent = "agent-" + Guid.NewGuid().ToString("N")[..8];
        await memory.RememberAsync(new MemoryScope(agent), "Ann is redecorating.", new RememberOptions { Importance = 5 }, Ct);
        fixture.Model.Insights = (_, shown) => new { insights = new[] { new { text = "Ann is busy with her house.", evidence = new[] { shown[0].Id } } } };
        using var spans = new ActivityCollector(AgentKitTelemetry.MemorySourceName);
        using var root = ActivityCollector.StartRoot();

        var result = await memory.ReflectAsync(agent, Ct);

        var reflect = Assert.Single(spans.InTrace(root.TraceId), a => a.OperationName == "memory.reflect");
        Assert.Equal(agent, reflect.GetTagItem(TelemetryAttributes.MemoryAgentId));
        Assert.Equal(1, reflect.GetTagItem("agentkit.memory.questions"));
        Assert.Equal(1, reflect.GetTagItem(TelemetryAttributes.MemoryInsights));
        Assert.Single(result.Insights);
    }

    [Fact]
    public async Task Write_Rejected_MarksSpanFailedWithTheExceptionType()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create(new MemoryOptions { MaxTextLength = 10 });
        using var spans = new ActivityCollector(AgentKitTelemetry.MemorySourceName);
        using var root = ActivityCollector.StartRoot();

        await Assert.ThrowsAsync<ArgumentException>(() => memory.RememberAsync(new MemoryScope("a"), "far more than ten characters", cancellationToken: Ct));

        var write = Assert.Single(spans.InTrace(root.TraceId));
        Assert.Equal(ActivityStatusCode.Error, write.Status);
        Assert.Equal(typeof(ArgumentException).FullName, write.GetTagItem(TelemetryAttributes.ErrorType));
    }
}
