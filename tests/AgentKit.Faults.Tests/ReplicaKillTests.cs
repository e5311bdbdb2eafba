using System.Globalization;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Faults.Worker;
using AgentKit.Storage.PostgreSql;
using AgentKit.Storage.PostgreSql.Sessions;
using AgentKit.Testing.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Faults.Tests;

/// <summary>
/// Two AgentKit processes on one PostgreSQL schema (<see cref="DurableRunScenario"/> on a throw-away cluster): replica A
/// runs the multi-tool run and is killed with <c>kill -9</c> at a step boundary; replica B, a separate process that
/// sweeps for orphaned runs every 200 ms, leaves the run alone while A lives and resumes it once A is dead. Every
/// acknowledged checkpoint survives, the session ends as an uninterrupted run, and no side effect happens twice. A
/// third process (the test) follows the run's events, attached before the kill: the stream goes on through the kill and
/// the resume, and is the run's whole stream, each event once.
/// Without PostgreSQL's server binaries the tests are skipped and say why.
/// </summary>
public sealed class ReplicaKillTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);
    private readonly TempFolder _folder = new();
    private TemporaryPostgreSqlCluster? _cluster;

    public async ValueTask InitializeAsync() => _cluster = await TemporaryPostgreSqlCluster.StartAsync("agentkit_faults");

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _folder.Dispose();
    }

    [Theory]
    [InlineData(3, 1, 1, 1)] // after the lookup's result: B replays it and runs the rest
    [InlineData(8, 1, 1, 0)] // after the e-mail's start: B cannot know whether it was sent, asks, is told no
    public async Task AReplicaKilledMidRun_IsResumedByTheOtherReplicasSweep_NothingLostNothingRepeated(int killAfter, long lookups, long shipments, long emails)
    {
        Assert.SkipWhen(_cluster is null, TemporaryPostgreSqlCluster.MissingReason ?? string.Empty);
        using var timeout = new CancellationTokenSource(Bound);
        var schema = "f_" + Guid.NewGuid().ToString("N")[..20];
        string[] database = [_folder.Path, _cluster!.ConnectionString, schema];

        using var b = WorkerProcess.Start(["standby-pg", .. database]);
        await b.ReadUntilAsync(line => line == "READY", timeout.Token);
        using var a = WorkerProcess.Start(["durable-pg", .. database, killAfter.ToString(CultureInfo.InvariantCulture)]);
        await a.ReadUntilAsync(line => line == "PAUSED", timeout.Token);

        // A holds the session while it runs: B's sweeps (five in this second) must not take the run.
        await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);
        await using var store = new PostgreSqlSessionStore(new PostgreSqlStorageOptions { ConnectionString = _cluster.ConnectionString, Schema = schema });
        var run = Assert.Single(await store.ListUnfinishedRunsAsync(timeout.Token));
        Assert.Equal(killAfter, (await store.LoadCheckpointsAsync(run.RunId, timeout.Token)).Count);

        // Attached to the run from a process that runs nothing: its events derived from the checkpoints, followed live.
        await using var reader = new ServiceCollection()
            .AddAgentKitPostgreSqlStorage(o => (o.ConnectionString, o.Schema) = (_cluster.ConnectionString, schema))
            .AddAgentKitAgents()
            .BuildServiceProvider();
        var runner = reader.GetRequiredService<AgentRunner>();
        var following = runner.AttachAsync(run.RunId, 0, timeout.Token).ToListAsync(timeout.Token).AsTask();

        await a.KillAsync();
        Assert.Equal("DONE Completed", await b.ReadUntilAsync(line => line.StartsWith("DONE ", StringComparison.Ordinal), timeout.Token));

        var followed = await following.WaitAsync(timeout.Token);
        Assert.IsType<RunCompletedEvent>(followed[^1]);
        Assert.Equal(followed.Count, followed.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(Describe(await runner.AttachAsync(run.RunId, 0, timeout.Token).ToListAsync(timeout.Token)), Describe(followed));
        var middle = followed.Count / 2;
        Assert.Equal(Describe(followed.Skip(middle + 1)), Describe(await runner.AttachAsync(run.RunId, followed[middle].Sequence, timeout.Token).ToListAsync(timeout.Token)));

        var acknowledged = a.Lines.Concat(b.Lines)
            .Where(line => line.StartsWith("ACK ", StringComparison.Ordinal) && line != "ACK complete")
            .Select(line => line.Split(' '))
            .Select(parts => (long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]))
            .ToList();
        Assert.Equal(killAfter, a.Lines.Count(line => line.StartsWith("ACK ", StringComparison.Ordinal)));
        var history = await DurableRunEndState.AssertAsync(store, store, _folder.Path, acknowledged, timeout.Token);
        Assert.Equal((lookups, shipments, emails), await DurableRunEndState.CountAsync(_folder.Path, "lookup", "ship", "email", timeout.Token));
        Assert.Equal(1L, await DurableRunEndState.EffectsScalarAsync(_folder.Path, "SELECT COUNT(*) FROM shipments", timeout.Token));
        if (emails == 0)
        {
            Assert.Contains(DurableRunScenario.Declined, DurableRunEndState.Result(history, 2), StringComparison.Ordinal);
        }
    }

    private static List<(long, string)> Describe(IEnumerable<AgentEvent> events) => [.. events.Select(e => (e.Sequence, e.GetType().Name))];
}
