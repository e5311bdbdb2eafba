using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Runs;

/// <summary>
/// Resumes the runs a previous process left unfinished when the host starts (<c>AgentKit:Runs:Resume</c> =
/// <c>Automatic</c>), in the background so start-up does not wait for them; when the application stops, runs still
/// going are left unfinished for the next process (<see cref="AgentRunner.SuspendRuns"/>) rather than cancelled.
/// With a shared run lock (replicas on PostgreSQL), it then sweeps every <c>AgentKit:Runs:SweepInterval</c> for runs
/// whose replica died and resumes them (<see cref="AgentRunner.ResumeOrphanedRunsAsync"/>).
/// </summary>
internal sealed partial class RunResumeService(AgentRunner runner, IOptions<DurableRunOptions> options, IHostApplicationLifetime lifetime, ILogger<RunResumeService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(runner.SuspendRuns);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (runner.Checkpoints is null || options.Value.Resume != RunResumeMode.Automatic)
        {
            return;
        }

        if (options.Value.SweepInterval != TimeSpan.Zero && runner.CanResumeOrphanedRuns)
        {
            // Replicas: the first sweep resumes what a dead replica left (runs live replicas hold are skipped); later
            // sweeps catch replicas that die while this one runs. A resumed run waiting for hours does not hold them up.
            await SweepAsync(stoppingToken).ConfigureAwait(false);
        }
        else
        {
            await ResumeAtStartAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ResumeAtStartAsync(CancellationToken stoppingToken)
    {
        try
        {
            var results = await runner.ResumeUnfinishedRunsAsync(stoppingToken).ConfigureAwait(false);
            if (results.Count > 0)
            {
                Resumed(logger, results.Count, results.Count(r => r.IsCompleted));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A store failure must not stop the host: the runs stay unfinished and can be resumed on request.
            ResumeFailed(logger, e);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            await runner.ResumeOrphanedRunsAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store is unreachable for now: the next sweep tries again.
            SweepFailed(logger, e);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Resumed {Count} unfinished agent runs; {Completed} completed")]
    private static partial void Resumed(ILogger logger, int count, int completed);

    [LoggerMessage(2, LogLevel.Error, "Resuming unfinished agent runs failed; resume them on request (POST /api/runs/{{id}}/resume)")]
    private static partial void ResumeFailed(ILogger logger, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Sweeping for agent runs left by a replica that is gone failed; the next sweep tries again")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
