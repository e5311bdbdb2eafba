using System.Diagnostics;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Agents.Diagnostics;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentKit.Agents.Tests.Diagnostics;

public sealed class AgentTelemetryTests
{
    private const string Secret = "Deliver to 12 Secret Lane";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Lookup() =>
        AIFunctionFactory.Create((int orderId) => $"Order {orderId}: shipped.", "lookup_order", "Looks an order up.");

    private static AIFunction BrokenLookup() =>
        AIFunctionFactory.Create((int orderId) => orderId > 0 ? throw new InvalidOperationException("database down") : string.Empty, "lookup_order", "Looks an order up.");

    /// <summary>Each test has its own agent name, so the process-wide listeners can tell its spans from other tests'.</summary>
    private static AgentDefinition UniqueAgent() => AgentHarness.Agent("agent-" + Guid.NewGuid().ToString("N")[..8], tools: ["lookup_order"]);

    private static ScriptedChatClient ToolThenAnswer() =>
        new ScriptedChatClient().CallTool("lookup_order", new Dictionary<string, object?> { ["orderId"] = 455 }, "c1").Reply("Order 455 has shipped.");

    [Fact]
    public async Task Run_WithToolCall_ReportsRunModelAndToolSpans_WithGenAIAttributes()
    {
        using var spans = new ActivityCollector(AgentKitTelemetry.SourceNames);
        var agent = UniqueAgent();
        using var harness = new AgentHarness(ToolThenAnswer(), [agent], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);

        var result = await session.RunAsync("Where is order 455?", Ct);

        var run = spans.Find(AgentTelemetry.RunActivityName, TelemetryAttributes.AgentName, agent.Name);
        Assert.Equal($"invoke_agent {agent.Name}", run.DisplayName);
        Assert.Equal("invoke_agent", run.GetTagItem(TelemetryAttributes.OperationName));
        Assert.Equal(session.Id, run.GetTagItem(TelemetryAttributes.ConversationId));
        Assert.Equal(result.RunId, run.GetTagItem(TelemetryAttributes.RunId));
        Assert.Equal("Completed", run.GetTagItem(TelemetryAttributes.RunOutcome));
        Assert.Equal(20L, run.GetTagItem(TelemetryAttributes.InputTokens));
        Assert.Equal(10L, run.GetTagItem(TelemetryAttributes.OutputTokens));
        Assert.Equal(1, run.GetTagItem(TelemetryAttributes.RunToolCalls));

        var trace = spans.InTrace(run.TraceId);
        var models = trace.Where(a => a.OperationName == AgentTelemetry.ModelCallActivityName).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, models.Count);
        Assert.All(models, m =>
        {
            Assert.Equal(run.SpanId, m.ParentSpanId);
            Assert.Equal(ActivityKind.Client, m.Kind);
            Assert.Equal("chat", m.GetTagItem(TelemetryAttributes.OperationName));
            Assert.Equal(10L, m.GetTagItem(TelemetryAttributes.InputTokens));
            Assert.Equal(5L, m.GetTagItem(TelemetryAttributes.OutputTokens));
            Assert.IsType<double>(m.GetTagItem(TelemetryAttributes.TimeToFirstChunk));
        });
        Assert.Equal(["tool_calls"], (string[])models[0].GetTagItem(TelemetryAttributes.FinishReasons)!);
        Assert.Equal(["stop"], (string[])models[1].GetTagItem(TelemetryAttributes.FinishReasons)!);

        var execute = Assert.Single(trace, a => a.DisplayName == "execute_tool lookup_order");
        Assert.Equal(run.SpanId, execute.ParentSpanId);
        Assert.Equal("execute_tool", execute.GetTagItem(TelemetryAttributes.OperationName));
        Assert.Equal("c1", execute.GetTagItem(TelemetryAttributes.ToolCallId));
        Assert.Equal("Succeeded", execute.GetTagItem(TelemetryAttributes.ToolStatus));
        var tool = Assert.Single(trace, a => a.OperationName == AgentTelemetry.ToolCallActivityName);
        Assert.Equal(execute.SpanId, tool.ParentSpanId);
        Assert.Equal("agent.tool_call lookup_order", tool.DisplayName);
        Assert.Equal("lookup_order", tool.GetTagItem(TelemetryAttributes.ToolName));
        Assert.Equal("Succeeded", tool.GetTagItem(TelemetryAttributes.ToolStatus));
        Assert.True(execute.StartTimeUtc >= models[0].StartTimeUtc + models[0].Duration, "the tool runs after the model asked for it");
    }

    [Fact]
    public async Task Run_WithFailingTool_MarksToolSpanFailed()
    {
        using var spans = new ActivityCollector(AgentTelemetry.SourceName);
        var agent = UniqueAgent();
        using var harness = new AgentHarness(ToolThenAnswer(), [agent], [BrokenLookup()]);
        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);

        await session.RunAsync("go", Ct);

        var run = spans.Find(AgentTelemetry.RunActivityName, TelemetryAttributes.AgentName, agent.Name);
        var tool = Assert.Single(spans.InTrace(run.TraceId), a => a.OperationName == AgentTelemetry.ToolCallActivityName);
        Assert.Equal("Failed", tool.GetTagItem(TelemetryAttributes.ToolStatus));
        Assert.Equal(ActivityStatusCode.Error, tool.Status);
        Assert.Equal("Failed", tool.GetTagItem(TelemetryAttributes.ErrorType));
        var execute = Assert.Single(spans.InTrace(run.TraceId), a => a.SpanId == tool.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, execute.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SensitiveData_IsRecordedOnlyWhenEnabled(bool enabled)
    {
        using var spans = new ActivityCollector(AgentTelemetry.SourceName);
        var agent = UniqueAgent();
        using var harness = new AgentHarness(ToolThenAnswer(), [agent], [Lookup()], configure: s => s.Configure<AgentTelemetryOptions>(o => o.EnableSensitiveData = enabled));
        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);

        await session.RunAsync($"Where is order 455? {Secret}", Ct);

        var run = spans.Find(AgentTelemetry.RunActivityName, TelemetryAttributes.AgentName, agent.Name);
        var trace = spans.InTrace(run.TraceId);
        var allTags = string.Join("\n", trace.SelectMany(a => a.TagObjects).Select(t => $"{t.Key}={t.Value}"));
        var tool = Assert.Single(trace, a => a.OperationName == AgentTelemetry.ToolCallActivityName);
        if (enabled)
        {
            Assert.Contains(Secret, (string)run.GetTagItem(TelemetryAttributes.InputMessages)!, StringComparison.Ordinal);
            Assert.Contains("\"role\":\"user\"", (string)run.GetTagItem(TelemetryAttributes.InputMessages)!, StringComparison.Ordinal);
            Assert.Contains("Order 455 has shipped.", (string)run.GetTagItem(TelemetryAttributes.OutputMessages)!, StringComparison.Ordinal);
            Assert.Equal("{\"orderId\":455}", tool.GetTagItem(TelemetryAttributes.ToolCallArguments));
            Assert.Equal("Order 455: shipped.", tool.GetTagItem(TelemetryAttributes.ToolCallResult));
        }
        else
        {
            Assert.DoesNotContain(Secret, allTags, StringComparison.Ordinal);
            Assert.DoesNotContain("shipped", allTags, StringComparison.Ordinal);
            Assert.Null(run.GetTagItem(TelemetryAttributes.InputMessages));
            Assert.Null(tool.GetTagItem(TelemetryAttributes.ToolCallArguments));
        }
    }

    [Fact]
    public async Task Run_ThroughUseOpenTelemetry_NestsTheGenAIChatSpanAndRecordsGenAIMetrics()
    {
        var agent = UniqueAgent();
        var modelId = "model-" + agent.Name;
        using var spans = new ActivityCollector(AgentKitTelemetry.SourceNames);
        using var metrics = new MeasurementCollector(AgentKitTelemetry.MeterNames);
        var scripted = ToolThenAnswer();
        scripted.Services[typeof(ChatClientMetadata)] = new ChatClientMetadata("scripted", null, modelId);
        var client = new ChatClientBuilder(scripted).UseOpenTelemetry(sourceName: AgentKitTelemetry.ModelsSourceName).Build();
        using var harness = new AgentHarness(client, [agent], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);

        await session.RunAsync("Where is order 455?", Ct);

        var run = spans.Find(AgentTelemetry.RunActivityName, TelemetryAttributes.AgentName, agent.Name);
        var trace = spans.InTrace(run.TraceId);
        var steps = trace.Where(a => a.OperationName == AgentTelemetry.ModelCallActivityName).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.Equal($"chat {modelId}", s.DisplayName));
        var chats = trace.Where(a => a.Source.Name == AgentKitTelemetry.ModelsSourceName && a.DisplayName == $"chat {modelId}").ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, c => Assert.Contains(steps, s => s.SpanId == c.ParentSpanId));

        var tokens = metrics.Of("gen_ai.client.token.usage").Where(m => Equals(m.Tag(TelemetryAttributes.RequestModel), modelId)).ToList();
        Assert.Equal(20, tokens.Where(m => Equals(m.Tag(TelemetryAttributes.TokenType), "input")).Sum(m => m.Value));
        Assert.Equal(10, tokens.Where(m => Equals(m.Tag(TelemetryAttributes.TokenType), "output")).Sum(m => m.Value));
        Assert.Equal(2, metrics.Of("gen_ai.client.operation.duration").Count(m => Equals(m.Tag(TelemetryAttributes.RequestModel), modelId)));
    }

    [Fact]
    public async Task Run_RecordsRunAndToolMetrics()
    {
        using var metrics = new MeasurementCollector(AgentTelemetry.SourceName);
        var agent = UniqueAgent();
        using var harness = new AgentHarness(ToolThenAnswer(), [agent], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);

        await session.RunAsync("Where is order 455?", Ct);

        var run = Assert.Single(metrics.Of(AgentTelemetry.RunDurationMetric), m => Equals(m.Tag(TelemetryAttributes.AgentName), agent.Name));
        Assert.Equal("Completed", run.Tag(TelemetryAttributes.RunOutcome));
        Assert.True(run.Value > 0);
        var tokens = metrics.Of(AgentTelemetry.RunTokensMetric).Where(m => Equals(m.Tag(TelemetryAttributes.AgentName), agent.Name)).ToList();
        Assert.Equal(20, Assert.Single(tokens, m => Equals(m.Tag(TelemetryAttributes.TokenType), "input")).Value);
        Assert.Equal(10, Assert.Single(tokens, m => Equals(m.Tag(TelemetryAttributes.TokenType), "output")).Value);
        Assert.Contains(metrics.Of(AgentTelemetry.ToolDurationMetric), m => Equals(m.Tag(TelemetryAttributes.ToolName), "lookup_order") && Equals(m.Tag(TelemetryAttributes.ToolStatus), "Succeeded"));
    }

    [Fact]
    public async Task Run_LogsCarrySessionAndRunIds()
    {
        var logs = new CapturingLoggerProvider();
        var agent = UniqueAgent();
        using var harness = new AgentHarness(ToolThenAnswer(), [agent], [BrokenLookup()], configure: s => s.AddSingleton<ILoggerFactory>(logs));
        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);

        var result = await session.RunAsync("Where is order 455?", Ct);

        var toolFailure = logs.Logs.First(l => l.Text.Contains("lookup_order", StringComparison.Ordinal) && l.Level == LogLevel.Error);
        Assert.Contains(new KeyValuePair<string, object?>("SessionId", session.Id), toolFailure.Scopes);
        Assert.Contains(new KeyValuePair<string, object?>("RunId", result.RunId), toolFailure.Scopes);
        Assert.Contains(new KeyValuePair<string, object?>("Agent", agent.Name), toolFailure.Scopes);
        Assert.Contains(logs.Logs, l => l.Category.EndsWith("AgentRun", StringComparison.Ordinal) && l.Scopes.Contains(new KeyValuePair<string, object?>("RunId", result.RunId)));
    }
}
