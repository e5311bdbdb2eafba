namespace AgentKit.Agents.Tests.Runs;

public sealed class StreamingStartTests
{
    [Fact]
    public async Task RunStreamingAsync_YieldsRunStarted_WhileAModelComputesSynchronously()
    {
        using var release = new ManualResetEventSlim();
        var modelReturned = false;
        var blocking = new DelegateChatClient((_, token) =>
        {
            // A model that blocks its caller's thread before returning (no await), like a busy local engine.
            release.Wait(TimeSpan.FromSeconds(5), token);
            Volatile.Write(ref modelReturned, true);
            return Task.FromResult(Script.Text("done"));
        });
        using var harness = new AgentHarness(blocking, [AgentHarness.Agent()]);
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);

        await using var events = session.RunStreamingAsync("go", TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await events.MoveNextAsync());
        var startedWhileModelBusy = !Volatile.Read(ref modelReturned);
        release.Set();

        Assert.True(startedWhileModelBusy, "run_started should stream before the model call returns");
        Assert.IsType<AgentKit.Agents.Events.RunStartedEvent>(events.Current);
        while (await events.MoveNextAsync())
        {
        }
    }
}
