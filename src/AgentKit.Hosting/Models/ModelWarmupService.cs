using AgentKit.LlamaCpp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentKit.Hosting.Models;

/// <summary>Loads every local model marked <c>WarmUp</c> when the host starts, in the background, logging progress.</summary>
internal sealed partial class ModelWarmupService(ModelCatalog catalog, ILogger<ModelWarmupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var host in catalog.LocalModels.Where(h => h.Options.WarmUp))
        {
            try
            {
                await host.GetModelAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (LlamaException e)
            {
                // The failure stays visible in the health check, and each request gets the same typed error.
                Log.WarmUpFailed(logger, host.Name, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Model '{Name}' could not be loaded: {Reason}")]
        public static partial void WarmUpFailed(ILogger logger, string name, string reason);
    }
}
