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

    [LoggerMessage(1, LogLevel.Information, "Resumed {Count} unfinished agent runs; {Completed} completed")]
    private static partial void Resumed(ILogger logger, int count, int completed);

    [LoggerMessage(2, LogLevel.Error, "Resuming unfinished agent runs failed; resume them on request (POST /api/runs/{{id}}/resume)")]
    private static partial void ResumeFailed(ILogger logger, Exception exception);
}
