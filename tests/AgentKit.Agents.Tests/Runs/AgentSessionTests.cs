using System.Diagnostics;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Diagnostics;
using AgentKit.Agents.Events;
using AgentKit.Agents.Tools;
using AgentKit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Runs;

public sealed class AgentSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AIFunction Lookup(List<int>? calls = null) =>
        AIFunctionFactory.Create((int orderId) => { calls?.Add(orderId); return $"Order {orderId}: shipped."; }, "lookup_order", "Looks an order up.");

    private static Dictionary<string, object?> Order(int id) => new() { ["orderId"] = id };

    [Fact]
    public async Task RunStreaming_ToolLoop_EmitsTypedEventsInOrder()
    {
        var calls = new List<int>();
        var model = new ScriptedChatClient().CallTool("lookup_order", Order(455), "c1").Reply("Order 455 has shipped.");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [Lookup(calls)]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("Where is order 455?", Ct))
        {
            events.Add(e);
        }

        Assert.Equal([455], calls);
        Assert.Equal(
            [typeof(RunStartedEvent), typeof(ToolCallRequestedEvent), typeof(StepCompletedEvent), typeof(ToolResultEvent), typeof(StepCompletedEvent), typeof(TextDeltaEvent), typeof(StepCompletedEvent), typeof(RunCompletedEvent)],
            events.Select(e => e.GetType()));
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
        Assert.All(events, e => Assert.Equal(events[0].RunId, e.RunId));
        var modelSteps = events.OfType<StepCompletedEvent>().Where(s => s.Kind == AgentStepKind.ModelCall).ToList();
        Assert.Equal([1, 2], modelSteps.Select(s => s.Step));
        Assert.All(modelSteps, s => Assert.Equal(15, s.Usage!.TotalTokenCount));
        var toolResult = events.OfType<ToolResultEvent>().Single();
        Assert.Equal(("c1", ToolCallStatus.Succeeded, "Order 455: shipped."), (toolResult.CallId, toolResult.Status, toolResult.Result));
        var done = Assert.IsType<RunCompletedEvent>(events[^1]).Result;
        Assert.Equal((AgentRunOutcome.Completed, "Order 455 has shipped.", 2, 1, 30L), (done.Outcome, done.Text, done.Steps, done.ToolCalls, done.Usage.TotalTokenCount));

        var request = model.Calls[0].Messages;
        Assert.Equal(ChatRole.System, request[0].Role);
        Assert.Equal("You are a helpful test agent.", request[0].Text);
        Assert.Equal(["lookup_order"], model.Calls[0].Options!.Tools!.Select(t => t.Name));
    }

    [Fact]
    public async Task Events_SerializeWithTypeDiscriminator()
    {
        AgentEvent evt = new TextDeltaEvent("hi") { RunId = "r", Sequence = 3 };
        using var json = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(evt, AIJsonUtilities.DefaultOptions));
        Assert.Equal("text_delta", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("hi", json.RootElement.GetProperty("text").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("sequence").GetInt64());
        var back = System.Text.Json.JsonSerializer.Deserialize<AgentEvent>(json.RootElement.GetRawText(), AIJsonUtilities.DefaultOptions);
        Assert.Equal("hi", Assert.IsType<TextDeltaEvent>(back).Text);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Conversation_SurvivesRestart_HistoryIsSentOnTheNextTurn()
    {
        var path = TempFiles.NewDatabasePath();
        string sessionId;
        using (var first = new AgentHarness(new ScriptedChatClient().CallTool("lookup_order", Order(7)).Reply("Shipped."), [AgentHarness.Agent(tools: ["lookup_order"])], [Lookup()], path))
        {
            var session = await first.Runner.CreateSessionAsync("helper", Ct);
            sessionId = session.Id;
            Assert.Equal(AgentRunOutcome.Completed, (await session.RunAsync("Where is order 7?", Ct)).Outcome);
        }

        SqliteConnection.ClearAllPools();
        var model = new ScriptedChatClient().Reply("You asked about order 7.");
        using var second = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [Lookup()], path);
        var reopened = await second.Runner.OpenSessionAsync(sessionId, Ct);

        var result = await reopened.RunAsync("What did I ask?", Ct);

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        var sent = model.Calls[0].Messages;
        Assert.Equal(["system", "user", "assistant", "tool", "assistant", "user"], sent.Select(m => m.Role.Value));
        Assert.Equal("Where is order 7?", sent[1].Text);
        Assert.Equal(6, (await reopened.GetHistoryAsync(Ct)).Count);
    }

    [Fact]
    public async Task StepLimit_EndsRunWithTypedOutcome()
    {
        var model = new ScriptedChatClient((_, _) => Script.Call("lookup_order", Order(1)));
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"], limits: new AgentLimits { MaxSteps = 3 })], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync("loop", Ct);

        Assert.Equal(AgentRunOutcome.StepLimitReached, result.Outcome);
        Assert.Equal(3, result.Steps);
        Assert.Equal(3, model.Calls.Count);
        Assert.Contains("MaxSteps", result.Error, StringComparison.Ordinal);

        // What finished is stored, and every stored call has its result.
        var history = await session.GetHistoryAsync(Ct);
        Assert.Equal(
            history.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId),
            history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(c => c.CallId));
    }

    [Fact]
    public async Task TokenLimit_EndsRunBeforeTheNextModelCall()
    {
        var model = new ScriptedChatClient((_, _) => Script.Call("lookup_order", Order(1), usage: Script.Usage(80, 20)));
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"], limits: new AgentLimits { MaxTokens = 250 })], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync("loop", Ct);

        Assert.Equal(AgentRunOutcome.TokenLimitReached, result.Outcome);
        Assert.Equal(3, model.Calls.Count);
        Assert.Equal(300, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Timeout_EndsRunAsTimedOut()
    {
        var model = new DelegateChatClient(async (_, ct) => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return new ChatResponse(); });
        using var harness = new AgentHarness(model, [AgentHarness.Agent(limits: new AgentLimits { Timeout = TimeSpan.FromMilliseconds(100) })]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync("slow", Ct);

        Assert.Equal(AgentRunOutcome.TimedOut, result.Outcome);
        var history = await session.GetHistoryAsync(Ct);
        Assert.Equal(2, history.Count);
        Assert.Equal("slow", history[0].Text);
        var error = Assert.IsType<ErrorContent>(Assert.Single(history[1].Contents));
        Assert.Equal(nameof(AgentRunOutcome.TimedOut), error.ErrorCode);
        Assert.Equal(result.Error, error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunEndingMidAnswer_KeepsTheStreamedTextAndHowItEnded_ButTheModelNeverSeesTheError(bool stopped)
    {
        var model = new ScriptedChatClient("I found your order and I am now writing a very long answer about it.", "Hello again.")
        {
            StreamChunkLength = 4,
            StreamChunkDelay = TimeSpan.FromMilliseconds(40),
        };
        using var harness = new AgentHarness(model, [AgentHarness.Agent(limits: new AgentLimits { Timeout = stopped ? TimeSpan.FromMinutes(1) : TimeSpan.FromMilliseconds(300) })]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var streamed = new System.Text.StringBuilder();
        AgentRunResult? result = null;
        await foreach (var e in session.RunStreamingAsync("where is my order?", stop.Token))
        {
            if (e is TextDeltaEvent delta && streamed.Append(delta.Text).Length >= 12 && stopped)
            {
                await stop.CancelAsync();
            }

            result = e is RunFailedEvent failed ? failed.Result : result;
        }

        Assert.NotNull(result);
        var outcome = stopped ? AgentRunOutcome.Cancelled : AgentRunOutcome.TimedOut;
        Assert.Equal(outcome, result.Outcome);
        var history = await session.GetHistoryAsync(Ct);
        Assert.Equal(3, history.Count);
        Assert.Equal("where is my order?", history[0].Text);
        Assert.Equal(ChatRole.Assistant, history[1].Role);
        Assert.Equal(streamed.ToString(), history[1].Text);
        Assert.True(history[1].Text.Length >= 12 && history[1].Text.Length < 69, history[1].Text);
        var error = Assert.IsType<ErrorContent>(Assert.Single(history[2].Contents));
        Assert.Equal(outcome.ToString(), error.ErrorCode);

        // The next turn sends the partial answer, not the error note.
        var next = await session.RunAsync("hello?", Ct);
        Assert.Equal(AgentRunOutcome.Completed, next.Outcome);
        var sent = model.Calls[^1].Messages;
        Assert.DoesNotContain(sent, m => m.Contents.Any(c => c is ErrorContent));
        Assert.Contains(sent, m => m.Role == ChatRole.Assistant && m.Text == history[1].Text);
    }

    [Fact]
    public async Task Cancellation_EndsStreamWithCancelledOutcome()
    {
        using var cts = new CancellationTokenSource();
        var model = new DelegateChatClient(async (call, ct) =>
        {
            if (call > 1)
            {
                return Script.Text("done");
            }

            await cts.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return new ChatResponse();
        });
        using var harness = new AgentHarness(model, [AgentHarness.Agent()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("hi", cts.Token))
        {
            events.Add(e);
        }

        Assert.Equal(AgentRunOutcome.Cancelled, Assert.IsType<RunFailedEvent>(events[^1]).Result.Outcome);

        // The session is free again, and the cancelled turn's input is in its history.
        Assert.Equal(AgentRunOutcome.Completed, (await session.RunAsync("again", Ct)).Outcome);
        Assert.Equal("hi", (await session.GetHistoryAsync(Ct))[0].Text);
    }

    [Fact]
    public async Task SecondConcurrentRun_InTheSameSession_IsRefused()
    {
        var release = new TaskCompletionSource();
        var model = new DelegateChatClient(async (_, _) => { await release.Task; return Script.Text("done"); });
        using var harness = new AgentHarness(model, [AgentHarness.Agent()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        var other = await harness.Runner.OpenSessionAsync(session.Id, Ct);

        var first = session.RunAsync("one", Ct);
        await Assert.ThrowsAsync<AgentSessionBusyException>(() => other.RunAsync("two", Ct));
        release.SetResult();
        Assert.Equal(AgentRunOutcome.Completed, (await first).Outcome);
    }

    [Fact]
    public async Task Approval_Approved_ToolRuns()
    {
        var calls = new List<int>();
        var model = new ScriptedChatClient().CallTool("lookup_order", Order(9), "c9").Reply("done");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [Lookup(calls)],
            configure: s => s.AddAgentKitPendingApprovals(), configureTools: o => o.Policies["lookup_order"] = new ToolPolicy { RequiresApproval = true });
        var approvals = harness.Services.GetRequiredService<PendingApprovals>();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("check 9", Ct))
        {
            events.Add(e);
            if (e is ApprovalRequestedEvent requested)
            {
                Assert.Equal(requested.Request.ApprovalId, Assert.Single(approvals.List(session.Id)).ApprovalId);
                Assert.Equal("lookup_order", requested.Request.ToolName);
                Assert.True(approvals.Approve(requested.Request.ApprovalId));
            }
        }

        Assert.Equal([9], calls);
        Assert.True(events.OfType<ApprovalResolvedEvent>().Single().Approved);
        Assert.IsType<RunCompletedEvent>(events[^1]);
        var history = await session.GetHistoryAsync(Ct);
        Assert.DoesNotContain(history.SelectMany(m => m.Contents), c => c is ToolApprovalRequestContent or ToolApprovalResponseContent);
        Assert.Equal("c9", Assert.Single(history.SelectMany(m => m.Contents).OfType<FunctionCallContent>()).CallId);
        Assert.Single(history.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
    }

    [Fact]
    public async Task Approval_Denied_ToolDoesNotRun_ModelIsTold()
    {
        var calls = new List<int>();
        var model = new ScriptedChatClient().CallTool("lookup_order", Order(9)).Reply("ok, not doing it");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [new ApprovalRequiredAIFunction(Lookup(calls))],
            configure: s => s.AddSingleton<IToolApprovalHandler>(new DelegateToolApprovalHandler((_, _) => ValueTask.FromResult(ToolApprovalDecision.Deny("not allowed today")))));
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("check 9", Ct))
        {
            events.Add(e);
        }

        Assert.Empty(calls);
        Assert.Equal(ToolCallStatus.Denied, events.OfType<ToolResultEvent>().Single().Status);
        var toModel = model.Calls[1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Contains("not allowed today", toModel.Result?.ToString(), StringComparison.Ordinal);
        Assert.IsType<RunCompletedEvent>(events[^1]);
    }

    [Fact]
    public async Task Approval_WithoutHandler_IsDenied()
    {
        var calls = new List<int>();
        var model = new ScriptedChatClient().CallTool("lookup_order", Order(9)).Reply("ok");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [new ApprovalRequiredAIFunction(Lookup(calls))]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        Assert.Equal(AgentRunOutcome.Completed, (await session.RunAsync("check", Ct)).Outcome);
        Assert.Empty(calls);
    }

    [Fact]
    public async Task InvalidArgumentsPastBudget_EndRunAsToolArgumentsRejected()
    {
        var bad = new Dictionary<string, object?> { ["orderId"] = "seven" };
        var model = new ScriptedChatClient((_, _) => Script.Call("lookup_order", bad));
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [Lookup()], configureTools: o => o.MaxInvalidArgumentRetries = 2);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync("go", Ct);

        Assert.Equal(AgentRunOutcome.ToolArgumentsRejected, result.Outcome);
        Assert.Equal(3, model.Calls.Count);
    }

    [Fact]
    public async Task ToolNotOnAllowlist_IsNeverOffered()
    {
        var model = new ScriptedChatClient().CallTool("lookup_order", Order(1)).Reply("ok");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: [])], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync("go", Ct);

        Assert.Null(model.Calls[0].Options?.Tools);
        Assert.StartsWith("Error:", result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().Result?.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.Result?.ToString()?.Contains("shipped", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ChatClientThatInvokesFunctions_IsAConfigurationError()
    {
        var inner = new ScriptedChatClient().Reply("x");
        using var harness = new AgentHarness(new ChatClientBuilder(inner).UseFunctionInvocation().Build(), [AgentHarness.Agent()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync("go", Ct);

        Assert.Equal(AgentRunOutcome.Failed, result.Outcome);
        Assert.Contains("UseFunctionInvocation", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAgentAndSession_AreTypedErrors()
    {
        using var harness = new AgentHarness(new ScriptedChatClient(), [AgentHarness.Agent()]);
        var agent = await Assert.ThrowsAsync<AgentNotFoundException>(() => harness.Runner.CreateSessionAsync("nobody", Ct));
        Assert.Contains("helper", agent.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentKit.Agents.Sessions.SessionNotFoundException>(() => harness.Runner.OpenSessionAsync("missing", Ct));
    }

    [Fact]
    public async Task Run_ReportsActivities_ForRunModelAndToolCalls()
    {
        // The listener is process-wide and other tests run in parallel: keep only this session's trace.
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AgentTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (stopped) { stopped.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        var model = new ScriptedChatClient().CallTool("lookup_order", Order(1)).Reply("ok");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup_order"])], [Lookup()]);
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        await session.RunAsync("go", Ct);

        lock (stopped)
        {
            var run = Assert.Single(stopped, a => a.OperationName == AgentTelemetry.RunActivityName && (string?)a.GetTagItem("agentkit.session.id") == session.Id);
            var seen = stopped.Where(a => a.TraceId == run.TraceId).Select(a => a.OperationName).ToList();
            Assert.Equal(2, seen.Count(n => n == AgentTelemetry.ModelCallActivityName));
            Assert.Contains(AgentTelemetry.ToolCallActivityName, seen);
        }
    }
}
