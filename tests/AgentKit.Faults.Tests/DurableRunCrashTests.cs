using System.Globalization;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using AgentKit.Faults.Worker;
using Microsoft.Extensions.AI;

namespace AgentKit.Faults.Tests;

/// <summary>
/// <c>kill -9</c> of a worker in the middle of a checkpointed multi-tool agent run (<see cref="DurableRunScenario"/>),
/// restarted until the run is done: every acknowledged checkpoint survives, the session ends with the messages of an
/// uninterrupted run, and no side effect happens twice (the tools count their own executions in <c>effects.db</c>).
/// </summary>
public sealed class DurableRunCrashTests : IDisposable
{
    // Fourteen worker processes start one after another; a loaded 2-core machine needs several seconds for each.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(300);
    private readonly TempFolder _folder = new();
    private readonly List<(long Sequence, string Kind)> _acknowledged = [];

    [Fact]
    public async Task KilledAtEveryCheckpoint_EachRestartResumes_NothingAcknowledgedIsLost_NoEffectIsRepeated()
    {
        using var timeout = new CancellationTokenSource(Bound);

        // Each process writes one checkpoint, pauses, and is killed: the run moves one step boundary per restart.
        var processes = await RestartUntilDoneAsync(_ => ["1", "0"], (_, _) => false, timeout.Token);

        // Ten checkpoints of the run, the interrupted e-mail's approval request and answer, the end, and the last
        // process, which finds the run done.
        Assert.Equal(10 + 2 + 1 + 1, processes);
        var history = await AssertEndStateAsync(timeout.Token);

        // Killed after the e-mail's start was recorded, the run cannot know whether it was sent: the operator is asked
        // (and declines), so it is sent at most once and the model is told.
        Assert.Contains(DurableRunScenario.Declined, Result(history, 2), StringComparison.Ordinal);
        Assert.Equal((1, 1, 0), await CountAsync("lookup", "ship", "email", timeout.Token));
    }

    [Fact]
    public async Task KilledBetweenEachToolsEffectAndItsRecordedResult_IdempotentReruns_KeyedRerunsWithTheSameKey_OthersAreNotRepeated()
    {
        using var timeout = new CancellationTokenSource(Bound);
        var killed = new HashSet<string>(StringComparer.Ordinal);

        // A tool commits its effect, prints EFFECT and waits 3 s before returning: the kill lands before its result is recorded.
        var processes = await RestartUntilDoneAsync(_ => ["0", "3000"], (line, _) => line.StartsWith("EFFECT ", StringComparison.Ordinal) && killed.Add(line), timeout.Token);

        Assert.Equal(5, processes);
        var history = await AssertEndStateAsync(timeout.Token);
        Assert.Equal("lookup 0 done", Result(history, 0));
        Assert.Equal("ship 1 done", Result(history, 1));
        Assert.Contains("interrupted by a restart", Result(history, 2), StringComparison.Ordinal);
        Assert.Equal((2, 2, 1), await CountAsync("lookup", "ship", "email", timeout.Token));
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM shipments", timeout.Token));
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(DISTINCT key) FROM executions WHERE tool = 'ship'", timeout.Token));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(23)]
    public async Task KilledAtRandomMoments_RestartsFinishTheRun_WithNothingLostOrRepeated(int seed)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var random = new Random(seed);

        // Tools take 40 ms after their effect, so a kill 0–250 ms after start lands in model steps, checkpoint
        // writes, tool effects or start-up; after five kills the run is let finish.
        var processes = await RestartUntilDoneAsync(
            _ => ["0", "40"], (line, process) => process <= 5 && line.StartsWith("ACK", StringComparison.Ordinal) && random.Next(4) == 0, timeout.Token);

        Assert.InRange(processes, 2, 8);
        await AssertEndStateAsync(timeout.Token);
        var emails = await ScalarAsync("SELECT COUNT(*) FROM executions WHERE tool = 'email'", timeout.Token);
        Assert.InRange(emails, 0L, 1L);
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM shipments", timeout.Token) <= 1);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Starts workers until one finds the run done ("NOTHING"), killing each when a line satisfies <paramref name="killAt"/>
    /// or when it pauses; collects every acknowledged checkpoint. Returns how many processes ran.
    /// </summary>
    private async Task<int> RestartUntilDoneAsync(Func<int, string[]> arguments, Func<string, int, bool> killAt, CancellationToken cancellationToken)
    {
        for (var process = 1; process <= 30; process++)
        {
            using var worker = WorkerProcess.Start(["durable", _folder.Path, .. arguments(process)]);
            var last = await worker.ReadUntilAsync(
                line => line is "PAUSED" or "NOTHING" || line.StartsWith("DONE ", StringComparison.Ordinal) || killAt(line, process), cancellationToken);
            if (last == "NOTHING")
            {
                return process;
            }

            if (last.StartsWith("DONE ", StringComparison.Ordinal))
            {
                Assert.Equal(0, (await worker.WaitForExitAsync(cancellationToken)).ExitCode);
            }
            else
            {
                await worker.KillAsync();
            }

            foreach (var line in worker.Lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal) && l != "ACK complete"))
            {
                var parts = line.Split(' ');
                _acknowledged.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]));
            }
        }

        throw new InvalidOperationException("The run did not finish within 30 restarts.");
    }

    private Task<IReadOnlyList<ChatMessage>> AssertEndStateAsync(CancellationToken cancellationToken)
    {
        var store = new SqliteSessionStore(Path.Combine(_folder.Path, "sessions.db"));
        return DurableRunEndState.AssertAsync(store, store, _folder.Path, _acknowledged, cancellationToken);
    }

    private static string Result(IReadOnlyList<ChatMessage> history, int call) => DurableRunEndState.Result(history, call);

    private Task<(long, long, long)> CountAsync(string a, string b, string c, CancellationToken cancellationToken) =>
        DurableRunEndState.CountAsync(_folder.Path, a, b, c, cancellationToken);

    private Task<long> ScalarAsync(string sql, CancellationToken cancellationToken) => DurableRunEndState.EffectsScalarAsync(_folder.Path, sql, cancellationToken);
}
