using AgentKit.Memory.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Memory.Reflection;

/// <summary>Runs reflections out of band: one agent at a time, from the <see cref="ReflectionScheduler"/>.</summary>
internal sealed class MemoryReflectionService(AgentMemory memory, ReflectionScheduler queue, ILogger<MemoryReflectionService>? logger = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<MemoryReflectionService>.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var agentId in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await memory.ReflectAsync(agentId, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    // One agent's failed reflection (a model error, a bad answer) must not stop the others'.
                    MemoryLog.ReflectionFailed(_logger, ex, agentId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
