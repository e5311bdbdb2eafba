using AgentKit.Hosting.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentKit.Hosting.Health;

/// <summary>
/// Healthy when every local model is loaded and every remote model's endpoint answers; degraded while a local model
/// is loading; unhealthy when one failed to load or a remote endpoint is down.
/// </summary>
internal sealed class ModelsHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = await catalog.GetStatusesAsync(cancellationToken).ConfigureAwait(false);
        var data = statuses.ToDictionary(s => s.Name, s => (object)(s.Error is null ? $"{s.State} {s.Progress:P0}" : $"{s.State}: {s.Error}"));
        var failed = statuses.Where(s => s.State == ModelLoadState.Failed).ToList();
        if (failed.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"Model(s) failed: {string.Join("; ", failed.Select(f => $"{f.Name}: {f.Error}"))}", data: data);
        }

        var waiting = statuses.Where(s => s.State is ModelLoadState.Loading or ModelLoadState.NotLoaded).ToList();
        return waiting.Count > 0
            ? HealthCheckResult.Degraded($"Model(s) not loaded yet: {string.Join(", ", waiting.Select(w => w.Name))}", data: data)
            : HealthCheckResult.Healthy("All models loaded.", data);
    }
}
