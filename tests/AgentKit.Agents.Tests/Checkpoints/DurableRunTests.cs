using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Events;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Checkpoints;

public sealed class DurableRunTests
{
    // Uninterrupted, the run writes ten checkpoints: four model responses and a start and a result per tool call.
    private const int Appends = 10;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int, bool> CrashPoints()
    {
        var data = new TheoryData<int, bool>();
        for (var i = 1; i <= Appends; i++)
        {
            data.Add(i, i % 2 == 0);
        }

        return data;
    }

    [Fact]
    public async Task Run_WritesEveryStepBoundary_AndFinishesWithItsMessagesInTheSession()
    {
        var fixture = new DurableRunFixture();
        using var harness = fixture.Harness();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);

        var result = await session.RunAsync(DurableRunFixture.Question, Ct);

        var checkpoints = await harness.Runner.ListCheckpointsAsync(session.Id, Ct);
        Assert.Equal(
            [RunCheckpointKind.ModelResponse, RunCheckpointKind.ToolCallStarted, RunCheckpointKind.ToolCallCompleted,
             RunCheckpointKind.ModelResponse, RunCheckpointKind.ToolCallStarted, RunCheckpointKind.ToolCallCompleted,
             RunCheckpointKind.ModelResponse, RunCheckpointKind.ToolCallStarted, RunCheckpointKind.ToolCallCompleted,
             RunCheckpointKind.ModelResponse, RunCheckpointKind.Completed],
            checkpoints.Select(c => c.Kind));
        Assert.All(checkpoints, c => Assert.Equal(result.RunId, c.RunId));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), checkpoints.Select(c => c.Sequence));
        Assert.Equal([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 0], checkpoints.Select(c => c.Step));
        Assert.Empty(await harness.Runner.ListUnfinishedRunsAsync(Ct));
        Assert.Equal(8, (await session.GetHistoryAsync(Ct)).Count);
        Assert.Single(fixture.ShipmentKeys, k => k is { Length: 32 });
    }

    [Fact]
    public async Task OrphanSweep_WithoutASharedRunLock_IsRefused_BecauseAnotherProcesssRunWouldLookOrphaned()
    {
        using var harness = new DurableRunFixture().Harness();

        Assert.False(harness.Runner.CanResumeOrphanedRuns);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Runner.ResumeOrphanedRunsAsync(Ct));
        Assert.Contains("ISessionRunLock", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Resume_AfterACrashAtAnyCheckpoint_EndsAsWithoutTheCrash_AndRepeatsNoSideEffect(int crashAt, bool streaming)
    {
        var reference = await ReferenceHistoryAsync();
        var fixture = new DurableRunFixture();
        var database = TempFiles.NewDatabasePath();
        string sessionId;
        using (var crashing = fixture.Harness(database, configure: s => s.AddSingleton<IRunCheckpointStore>(sp => new CrashingCheckpointStore((IRunCheckpointStore)sp.GetRequiredService<ISessionStore>(), crashAt))))
        {
            var session = await crashing.Runner.CreateSessionAsync("helper", Ct);
            sessionId = session.Id;
            if (streaming)
            {
                await foreach (var _ in session.RunStreamingAsync(DurableRunFixture.Question, Ct))
                {
                }
            }
            else
            {
                await session.RunAsync(DurableRunFixture.Question, Ct);
            }

            Assert.Empty(await session.GetHistoryAsync(Ct));
        }

        using var restarted = fixture.Harness(database);
        var unfinished = Assert.Single(await restarted.Runner.ListUnfinishedRunsAsync(Ct));
        var resumed = await restarted.Runner.ResumeAsync(unfinished.RunId, Ct);

        Assert.Equal(AgentRunOutcome.Completed, resumed.Outcome);
        Assert.Equal(unfinished.RunId, resumed.RunId);
        Assert.Empty(await restarted.Runner.ListUnfinishedRunsAsync(Ct));
        var history = await (await restarted.Runner.OpenSessionAsync(sessionId, Ct)).GetHistoryAsync(Ct);

        // The e-mail's result is write 9: killed between sending and recording, it is not sent again unasked (no
        // approval handler here denies it), and the model is told why.
        Assert.Single(fixture.Emails);
        Assert.Single(fixture.ShipmentKeys.Distinct());
        Assert.Equal(crashAt == 6 ? 2 : 1, fixture.Shipments.Count);
        Assert.Equal(crashAt == 3 ? 2 : 1, fixture.Lookups.Count);
        if (crashAt == 9)
        {
            var refused = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single(r => r.CallId == "c3");
            Assert.Contains("interrupted by a restart", refused.Result?.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(Describe(reference), Describe(history));
        }
    }

    [Fact]
    public async Task PendingApproval_SurvivesACrash_AndIsAnsweredAfterTheRestart()
    {
        var fixture = new DurableRunFixture();
        var database = TempFiles.NewDatabasePath();
        void RequireApproval(IServiceCollection s) => s.Configure<ToolPipelineOptions>(o => o.Policies["email"] = new ToolPolicy { RequiresApproval = true });

        // Appends 1–7 reach the e-mail's step; 8 is the approval request, 9 its answer: the process dies answering.
        using (var crashing = fixture.Harness(database, configure: s =>
        {
            RequireApproval(s);
            s.AddSingleton<IToolApprovalHandler>(new DelegateToolApprovalHandler((_, _) => ValueTask.FromResult(ToolApprovalDecision.Approve())));
            s.AddSingleton<IRunCheckpointStore>(sp => new CrashingCheckpointStore((IRunCheckpointStore)sp.GetRequiredService<ISessionStore>(), 9));
        }))
        {
            var session = await crashing.Runner.CreateSessionAsync("helper", Ct);
            await session.RunAsync(DurableRunFixture.Question, Ct);
        }

        using var restarted = fixture.Harness(database, configure: s =>
        {
            RequireApproval(s);
            s.AddAgentKitPendingApprovals();
        });
        var run = Assert.Single(await restarted.Runner.ListUnfinishedRunsAsync(Ct));
        var recorded = (await restarted.Services.GetRequiredService<AgentRunner>().Checkpoints!.LoadCheckpointsAsync(run.RunId, Ct))[^1];
        Assert.Equal(RunCheckpointKind.ApprovalRequested, recorded.Kind);
        var resuming = restarted.Runner.ResumeAsync(run.RunId, Ct);
        var approvals = restarted.Services.GetRequiredService<PendingApprovals>();
        while (approvals.List().Count == 0)
        {
            await Task.Delay(10, Ct);
        }

        var pending = Assert.Single(approvals.List());
        Assert.Contains(pending.ApprovalId, recorded.Payload, StringComparison.Ordinal);
        Assert.Empty(fixture.Emails);
        Assert.True(approvals.Approve(pending.ApprovalId));
        var result = await resuming;

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Single(fixture.Emails);
        var events = new List<AgentEvent>();
        await foreach (var e in restarted.Runner.AttachAsync(run.RunId, 0, Ct))
        {
            events.Add(e);
        }

        Assert.Contains(events, e => e is ApprovalRequestedEvent);
        Assert.IsType<RunCompletedEvent>(events[^1]);
    }

    [Fact]
    public async Task Fork_FromAMidRunCheckpoint_StartsASessionWithTheHistoryAsItStoodThere()
    {
        var fixture = new DurableRunFixture();
        using var harness = fixture.Harness();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        await session.RunAsync(DurableRunFixture.Question, Ct);
        var checkpoints = await harness.Runner.ListCheckpointsAsync(session.Id, Ct);

        // Checkpoint 6: the shipment's result; the e-mail was never asked for.
        var forked = await harness.Runner.ForkSessionAsync(session.Id, checkpoints[5].RunId, 6, cancellationToken: Ct);
        var history = await forked.GetHistoryAsync(Ct);
        Assert.Equal(
            ["user:Return order 7.", "assistant:call lookup", "tool:order 7: delivered", "assistant:call ship", "tool:label for 7"],
            Describe(history));

        var whole = await harness.Runner.ForkSessionAsync(session.Id, checkpoints[^1].RunId, 11, cancellationToken: Ct);
        Assert.Equal(Describe(await session.GetHistoryAsync(Ct)), Describe(await whole.GetHistoryAsync(Ct)));
        await Assert.ThrowsAsync<RunCheckpointException>(() => harness.Runner.ForkSessionAsync(session.Id, checkpoints[0].RunId, 99, cancellationToken: Ct));
        Assert.Equal(5, (await harness.Runner.ListSessionsAsync(cancellationToken: Ct)).Single(s => s.Id == forked.Id).MessageCount);
    }

    [Fact]
    public async Task Resume_OfAFinishedOrUnknownRun_ThrowsNamingIt()
    {
        var fixture = new DurableRunFixture();
        using var harness = fixture.Harness();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        var result = await session.RunAsync(DurableRunFixture.Question, Ct);

        var finished = await Assert.ThrowsAsync<AgentRunNotFoundException>(() => harness.Runner.ResumeAsync(result.RunId, Ct));
        Assert.Contains(result.RunId, finished.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => harness.Runner.ResumeAsync("nope", Ct));
        await Assert.ThrowsAsync<AgentRunNotFoundException>(async () => await harness.Runner.AttachAsync("nope", 0, Ct).GetAsyncEnumerator(Ct).MoveNextAsync());
    }

    private static async Task<IReadOnlyList<ChatMessage>> ReferenceHistoryAsync()
    {
        using var harness = new DurableRunFixture().Harness();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        await session.RunAsync(DurableRunFixture.Question, Ct);
        return await session.GetHistoryAsync(Ct);
    }

    private static List<string> Describe(IEnumerable<ChatMessage> messages) =>
        [.. messages.Select(m => $"{m.Role}:" + string.Join(",", m.Contents.Select(c => c switch
        {
            FunctionCallContent call => "call " + call.Name,
            FunctionResultContent result => result.Result?.ToString(),
            TextContent text => text.Text,
            _ => c.GetType().Name,
        })))];
}
