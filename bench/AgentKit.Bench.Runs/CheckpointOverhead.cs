using System.Diagnostics;
using System.Globalization;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using AgentKit.Faults.Worker;
using AgentKit.Storage.PostgreSql;
using AgentKit.Testing.PostgreSql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Bench.Runs;

/// <summary>
/// The same 10-tool run (11 model steps, a scripted model, tools that return at once) on one SQLite session file or
/// one PostgreSQL database, with and without checkpoints, interleaved run by run; a step's time is the run's time over its 21 steps (11 model
/// calls, 10 tool calls). Also times the checkpoint writes themselves.
/// </summary>
internal static class CheckpointOverhead
{
    private const int ToolCalls = 10;
    private const int Steps = (2 * ToolCalls) + 1;

    /// <summary>Runs the comparison on SQLite, or with <paramref name="postgreSql"/> on a throw-away PostgreSQL cluster on loopback (durability settings as shipped).</summary>
    public static async Task<int> RunAsync(int runs, bool postgreSql)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentkit-bench-runs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        TemporaryPostgreSqlCluster? cluster = null;
        try
        {
            if (postgreSql)
            {
                cluster = await TemporaryPostgreSqlCluster.StartAsync("agentkit_bench", durable: true);
                if (cluster is null)
                {
                    Console.Error.WriteLine($"PostgreSQL mode not run: {TemporaryPostgreSqlCluster.MissingReason}.");
                    return 2;
                }
            }

            var storage = cluster is null ? "SQLite WAL file" : $"PostgreSQL on loopback (throw-away cluster, fsync and synchronous_commit on)";
            var writes = new List<double>();
            await using var durable = Services(Path.Combine(folder, "sessions.db"), cluster, checkpoints: true, writes);
            await using var plain = Services(Path.Combine(folder, "sessions.db"), cluster, checkpoints: false, null);
            var withCheckpoints = new List<double>();
            var without = new List<double>();
            for (var i = -20; i < runs; i++)
            {
                // Alternating, so drift in the machine's load hits both sides alike; the first 20 of each warm up.
                var a = await TimeRunAsync(durable);
                var b = await TimeRunAsync(plain);
                if (i >= 0)
                {
                    withCheckpoints.Add(a / Steps);
                    without.Add(b / Steps);
                }
            }

            writes.RemoveRange(0, Math.Min(writes.Count, 20 * ToolCalls * 3));
            var p50With = Percentile(withCheckpoints, 0.5);
            var p50Without = Percentile(without, 0.5);
            Console.WriteLine($"runs: {runs} x 2 (10 tool calls, {Steps} steps each), {storage}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"step p50 without checkpoints: {p50Without:0.000} ms   p90: {Percentile(without, 0.9):0.000} ms");
            Console.WriteLine($"step p50 with checkpoints:    {p50With:0.000} ms   p90: {Percentile(withCheckpoints, 0.9):0.000} ms");
            Console.WriteLine($"checkpoint overhead per step p50: {p50With - p50Without:0.000} ms (target <= {(cluster is null ? 2 : 5)} ms); ratio with/without: {p50With / p50Without:0.00}");
            Console.WriteLine($"checkpoint write p50: {Percentile(writes, 0.5):0.000} ms   p99: {Percentile(writes, 0.99):0.000} ms ({writes.Count} writes)");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }

        return 0;
    }

    private static async Task<double> TimeRunAsync(ServiceProvider services)
    {
        var runner = services.GetRequiredService<AgentRunner>();
        var session = await runner.CreateSessionAsync(FaultModels.AgentName);
        var started = Stopwatch.GetTimestamp();
        var result = await session.RunAsync("Process the return.");
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (result.Outcome != AgentRunOutcome.Completed || result.ToolCalls != ToolCalls)
        {
            throw new InvalidOperationException($"The run ended {result.Outcome} after {result.ToolCalls} tool calls: {result.Error}");
        }

        return elapsed;
    }

    private static ServiceProvider Services(string database, TemporaryPostgreSqlCluster? cluster, bool checkpoints, List<double>? writes)
    {
        var services = new ServiceCollection();
        if (cluster is not null)
        {
            // Registered first, as a hosted app does: AddAgentKitAgents then adds no SQLite store.
            services.AddAgentKitPostgreSqlStorage(o => o.ConnectionString = cluster.ConnectionString);
        }

        return services
            .AddSingleton<IChatClient>(DurableRunScenario.Model(ToolCalls))
            .AddAgentKitAgents(database, o =>
            {
                foreach (var tool in DurableRunScenario.Tools)
                {
                    o.Policies[tool] = new ToolPolicy { Idempotency = ToolIdempotency.Idempotent };
                }
            })
            .Configure<DurableRunOptions>(o => o.Checkpoints = checkpoints)
            .AddSingleton<IRunCheckpointStore>(sp => new TimedCheckpointStore((IRunCheckpointStore)sp.GetRequiredService<AgentKit.Agents.Sessions.ISessionStore>(), writes))
            .AddAgentKitTools(DurableRunScenario.Tools.Select(name => AIFunctionFactory.Create((int order) => name + " " + order.ToString(CultureInfo.InvariantCulture), name)))
            .AddAgent(new AgentDefinition { Name = FaultModels.AgentName, Instructions = AgentInstructions.Literal("You process returns."), Tools = DurableRunScenario.Tools, Limits = new AgentLimits { MaxSteps = ToolCalls + 1 } })
            .BuildServiceProvider();
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Times each checkpoint append.</summary>
    private sealed class TimedCheckpointStore(IRunCheckpointStore inner, List<double>? writes) : DelegatingRunCheckpointStore(inner)
    {
        public override async ValueTask<long> AppendAsync(string runId, RunCheckpointData checkpoint, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var sequence = await base.AppendAsync(runId, checkpoint, cancellationToken);
            writes?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return sequence;
        }
    }
}
