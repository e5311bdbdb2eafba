using AgentKit.Agents.Events;

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

    private static List<(long, string)> Describe(IEnumerable<AgentEvent> events) => [.. events.Select(e => (e.Sequence, e.GetType().Name))];

    private static string Text(IEnumerable<AgentEvent> events) => string.Concat(events.OfType<TextDeltaEvent>().Select(t => t.Text));
}
