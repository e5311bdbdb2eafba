using System.Diagnostics;
using AgentKit.Abstractions.Tools;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Tools;

/// <summary>A tool that never returns, whether it ignores its cancellation token or blocks its thread, is bounded by the tool timeout.</summary>
public sealed class HangingToolTests : IDisposable
{
    private readonly ManualResetEventSlim _release = new();

    public static TheoryData<string> Kinds => ["ignores-cancellation", "blocks-its-thread"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task HangingTool_IsAbandonedAtItsTimeout_TheRunGoesOn_AndTheHistoryIsConsistent(string kind)
    {
        var hang = new TaskCompletionSource<string>();
        var tool = kind == "blocks-its-thread"
            ? AIFunctionFactory.Create(() => { _release.Wait(); return "late"; }, "stuck")
            : AIFunctionFactory.Create(() => hang.Task, "stuck");
        var model = new ScriptedChatClient().CallTool("stuck", callId: "c1").Reply("The stock service is not answering; please try later.");
        using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["stuck"])], [tool],
            configureTools: o => o.Policies["stuck"] = new ToolPolicy { Timeout = TimeSpan.FromMilliseconds(200) });
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();

        var result = await session.RunAsync("Is it in stock?", TestContext.Current.CancellationToken);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Equal("The stock service is not answering; please try later.", result.Text);
        var toolResult = (FunctionResultContent)model.Calls[1].Messages[^1].Contents.Single();
        Assert.Equal("Error: the tool 'stuck' did not finish within 0.2 seconds and was cancelled.", toolResult.Result);

        // The history holds the whole turn: question, call, the timeout as the call's result, answer.
        var history = await session.GetHistoryAsync(TestContext.Current.CancellationToken);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], history.Select(m => m.Role));
        Assert.Equal("c1", Assert.IsType<FunctionResultContent>(Assert.Single(history[2].Contents)).CallId);
        hang.SetResult("late");
    }

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
    }
}
