using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Runs;

public sealed class AgentRunContextTests
{
    [Fact]
    public async Task Current_InsideATool_NamesTheRunsSessionAndAgent()
    {
        AgentRunContext? seen = null;
        var probe = AIFunctionFactory.Create(
            async () =>
            {
                // A hop to the thread pool: the context must flow, not just be thread-static.
                await Task.Run(() => seen = AgentRunContext.Current);
                return "ok";
            },
            "probe");
        var chat = new ScriptedChatClient().CallTool("probe").Reply("done");
        using var harness = new AgentHarness(chat, [AgentHarness.Agent(tools: ["probe"])], [probe]);
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);

        var result = await session.RunAsync("go", TestContext.Current.CancellationToken);

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.NotNull(seen);
        Assert.Equal(session.Id, seen.SessionId);
        Assert.Equal("helper", seen.AgentName);
        Assert.Equal(result.RunId, seen.RunId);
    }

    [Fact]
    public async Task Current_OutsideARun_IsNull_AndStreamingRunsSetItToo()
    {
        string? seenSession = null;
        var probe = AIFunctionFactory.Create(() => seenSession = AgentRunContext.Current?.SessionId, "probe");
        var chat = new ScriptedChatClient().CallTool("probe").Reply("done");
        using var harness = new AgentHarness(chat, [AgentHarness.Agent(tools: ["probe"])], [probe]);
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);

        await foreach (var _ in session.RunStreamingAsync("go", TestContext.Current.CancellationToken))
        {
        }

        Assert.Equal(session.Id, seenSession);
        Assert.Null(AgentRunContext.Current);
    }
}
