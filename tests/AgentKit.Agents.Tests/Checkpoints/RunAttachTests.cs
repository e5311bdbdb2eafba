using System.Diagnostics;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Events;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Checkpoints;

/// <summary>
/// Attaching to a checkpointed run that this process does not hold events of: the events are derived from the
/// checkpoints, under the ids the running process streamed them with, from any id a client saw.
/// </summary>
public sealed class RunAttachTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Attach_ToAFinishedRun_DerivesTheStreamedEvents_UnderTheSameIds()
    {
        var fixture = new DurableRunFixture();
        using var harness = fixture.Harness();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        var streamed = await session.RunStreamingAsync(DurableRunFixture.Question, Ct).ToListAsync(Ct);
        var runId = streamed[0].RunId;

        var derived = await harness.Runner.AttachAsync(runId, 0, Ct).ToListAsync(Ct);

        Assert.Equal(Describe(streamed), Describe(derived));
        Assert.Equal(Text(streamed), Text(derived));
        var completed = Assert.IsType<RunCompletedEvent>(derived[^1]);
        Assert.Equal(((RunCompletedEvent)streamed[^1]).Result.Text, completed.Result.Text);
        Assert.Equal(((RunCompletedEvent)streamed[^1]).Result.Messages.Count, completed.Result.Messages.Count);
        Assert.Equal((3, 4), (completed.Result.ToolCalls, completed.Result.Steps));

        // From any id a client saw: exactly the events after it.
        for (var seen = 0; seen < streamed.Count; seen++)
        {
            var after = await harness.Runner.AttachAsync(runId, streamed[seen].Sequence, Ct).ToListAsync(Ct);
            Assert.Equal(Describe(streamed.Skip(seen + 1)), Describe(after));
        }
    }

    [Fact]
    public async Task Attach_AfterPartOfAStepsText_GetsTheRestOfIt()
    {
        using var harness = new DurableRunFixture().Harness();
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        var streamed = await session.RunStreamingAsync(DurableRunFixture.Question, Ct).ToListAsync(Ct);
        var text = streamed.OfType<TextDeltaEvent>().Single();

        // A client that saw all but the last 6 characters of the answer (its delta's id minus 6).
        var rest = await harness.Runner.AttachAsync(text.RunId, text.Sequence - 6, Ct).ToListAsync(Ct);

        Assert.Equal(text.Text[^6..], Assert.IsType<TextDeltaEvent>(rest[0]).Text);
        Assert.Equal(text.Sequence, rest[0].Sequence);
        Assert.Equal(Describe(streamed.SkipWhile(e => e != text).Skip(1)), Describe(rest.Skip(1)));
    }

    [Fact]
    public async Task Attach_ToARunThisProcessExecutes_IsWokenByEachCheckpoint_NotByThePoll()
    {
        // Polling every minute: only the runner's own signal can deliver the run's steps within the bounds below.
        var gate = new SemaphoreSlim(0);
        var model = new GatedModel(DurableRunFixture.Model(), gate);
        using var harness = new DurableRunFixture().Harness(model: model, configure: s => s.Configure<DurableRunOptions>(o => o.AttachPollInterval = TimeSpan.FromMinutes(1)));
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        await using var running = session.RunStreamingAsync(DurableRunFixture.Question, Ct).GetAsyncEnumerator(Ct);
        Assert.True(await running.MoveNextAsync());
        var runId = running.Current.RunId;
        var streaming = Task.Run(async () =>
        {
            var all = new List<AgentEvent> { running.Current };
            while (await running.MoveNextAsync())
            {
                all.Add(running.Current);
            }

            return all;
        }, Ct);

        await model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Another client of this process attaches (derived from the checkpoints); each model step it releases arrives at once.
        await using var attached = harness.Runner.AttachAsync(runId, 0, Ct).GetAsyncEnumerator(Ct);
        Assert.True(await attached.MoveNextAsync());
        Assert.IsType<RunStartedEvent>(attached.Current);
        var derived = new List<AgentEvent> { attached.Current };
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < 4; step++)
        {
            gate.Release();
            var wanted = step < 3 ? typeof(ToolResultEvent) : typeof(RunCompletedEvent);
            do
            {
                Assert.True(await attached.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct));
                derived.Add(attached.Current);
            }
            while (attached.Current.GetType() != wanted);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the attached stream took {clock.Elapsed}");
        Assert.False(await attached.MoveNextAsync());
        var streamed = await streaming;
        Assert.Equal(Describe(streamed), Describe(derived));
    }

    private static List<(long, string)> Describe(IEnumerable<AgentEvent> events) => [.. events.Select(e => (e.Sequence, e.GetType().Name))];

    private static string Text(IEnumerable<AgentEvent> events) => string.Concat(events.OfType<TextDeltaEvent>().Select(t => t.Text));

    /// <summary>The scripted model, each call held until the test releases the gate once.</summary>
    private sealed class GatedModel(IChatClient inner, SemaphoreSlim gate) : DelegatingChatClient(inner)
    {
        /// <summary>Completes when the first call waits at the gate (the run is recorded by then).</summary>
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await gate.WaitAsync(cancellationToken);
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken);
            foreach (var update in response.ToChatResponseUpdates())
            {
                yield return update;
            }
        }
    }
}
