using System.Diagnostics;
using System.Globalization;
using AgentKit.Faults.Worker;
using Microsoft.Data.Sqlite;

namespace AgentKit.Bench.Runs;

/// <summary>
/// Kills (SIGKILL) the fault worker's durable scenario — 10 tool calls over an idempotent lookup, a keyed shipment and
/// a non-idempotent e-mail, a scripted model — at random moments of its runs, restarting it until each run is done,
/// until the given number of kills; then counts acknowledged checkpoints missing from the store and side effects that
/// happened twice (the tools count their own executions in SQLite).
/// </summary>
internal static class FaultRun
{
    private const int ToolCalls = 10;

    public static async Task<int> RunAsync(int kills, int seed)
    {
        var random = new Random(seed);
        var root = Path.Combine(Path.GetTempPath(), "agentkit-bench-faults", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            // Calibration: how long an uninterrupted run takes from its start line to its end, to place kills inside it.
            var calibration = Path.Combine(root, "calibration");
            Directory.CreateDirectory(calibration);
            var span = (await RunProcessAsync(calibration, killAfter: null)).RunTime;
            Console.WriteLine($"uninterrupted run: {span.TotalMilliseconds:0} ms after start-up ({ToolCalls} tool calls, tools pause 5 ms after each effect)");

            var (killed, runs, processes, lost, duplicated, reruns, acknowledged) = (0, 0, 0, 0, 0L, 0L, 0);
            var started = Stopwatch.GetTimestamp();
            while (killed < kills)
            {
                var folder = Path.Combine(root, "run" + runs.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(folder);
                runs++;
                var acks = new List<(long Sequence, string Kind)>();
                while (true)
                {
                    var killAfter = killed < kills ? TimeSpan.FromMilliseconds(random.NextDouble() * span.TotalMilliseconds) : (TimeSpan?)null;
                    var result = await RunProcessAsync(folder, killAfter);
                    processes++;
                    acks.AddRange(result.Acknowledged);
                    if (result.Killed)
                    {
                        killed++;
                    }

                    if (result.Nothing)
                    {
                        break;
                    }
                }

                var state = await DurableRunScenario.InspectAsync(folder);
                if (state.Outcome != "Completed")
                {
                    throw new InvalidOperationException($"Run {runs} ended {state.Outcome ?? "unfinished"}.");
                }

                acknowledged += acks.Count;
                lost += acks.Count(a => !state.Checkpoints.TryGetValue(a.Sequence, out var kind) || kind != a.Kind);
                duplicated += Math.Max(0, state.MaxEmailsPerCall - 1) + Math.Max(0, state.MaxShipmentsPerCall - 1);
                reruns += state.LookupReruns;
                SqliteConnection.ClearAllPools();
            }

            Console.WriteLine($"kills: {killed} over {runs} runs ({processes} processes) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
            Console.WriteLine($"acknowledged checkpoints: {acknowledged}; lost: {lost} (target 0)");
            Console.WriteLine($"duplicated side effects (e-mails sent twice, shipments created twice): {duplicated} (target 0)");
            Console.WriteLine($"idempotent lookups re-run after a kill (allowed by their policy): {reruns}");
            return lost == 0 && duplicated == 0 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<ProcessResult> RunProcessAsync(string folder, TimeSpan? killAfter)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { WorkerPath(), "durable", folder, "0", "5", ToolCalls.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The fault worker could not be started.");
        var errors = process.StandardError.ReadToEndAsync();
        var acknowledged = new List<(long, string)>();
        var (nothing, killed) = (false, false);
        var runStarted = 0L;
        var runTime = TimeSpan.Zero;
        Task? kill = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "NOTHING")
            {
                nothing = true;
            }
            else if (line.StartsWith("STARTED ", StringComparison.Ordinal) || line.StartsWith("RESUMING ", StringComparison.Ordinal))
            {
                runStarted = Stopwatch.GetTimestamp();
                if (killAfter is { } delay)
                {
                    kill = Task.Delay(delay).ContinueWith(_ =>
                    {
                        if (!process.HasExited)
                        {
                            killed = true;
                            process.Kill(entireProcessTree: true);
                        }
                    }, TaskScheduler.Default);
                }
            }
            else if (line.StartsWith("DONE ", StringComparison.Ordinal))
            {
                runTime = Stopwatch.GetElapsedTime(runStarted);
            }
            else if (line.StartsWith("ACK ", StringComparison.Ordinal) && line != "ACK complete")
            {
                var parts = line.Split(' ');
                acknowledged.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]));
            }
        }

        await process.WaitForExitAsync();
        if (kill is not null)
        {
            await kill;
        }

        if (!killed && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The fault worker failed ({process.ExitCode}): {await errors}");
        }

        return new ProcessResult(acknowledged, nothing, killed, runTime);
    }

    private static string WorkerPath()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "AgentKit.Faults.Worker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The fault worker is built with this benchmark; not found at {path}.");
    }

    private sealed record ProcessResult(List<(long Sequence, string Kind)> Acknowledged, bool Nothing, bool Killed, TimeSpan RunTime);
}
