using AgentKit.Rag.Knowledge;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentKit.Hosting.Knowledge;

/// <summary>Healthy when every knowledge base is ingested; degraded while one is ingesting or waiting to; unhealthy when one failed, with the reason.</summary>
internal sealed class KnowledgeHealthCheck(IEnumerable<KnowledgeBaseName> names, IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bases = names.Select(n => services.GetRequiredKeyedService<KnowledgeBase>(n.Name)).ToList();
        var data = bases.ToDictionary(b => b.Name, b => (object)(b.Status.Error is { } error ? $"{b.Status.State}: {error}" : b.Status.State.ToString()));
        var failed = bases.Where(b => b.Status.State == KnowledgeIngestionState.Failed).ToList();
        if (failed.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Knowledge base ingestion failed: {string.Join("; ", failed.Select(b => $"{b.Name}: {b.Status.Error}"))}", data: data));
        }

        var waiting = bases.Where(b => b.Status.State == KnowledgeIngestionState.Ingesting
            || (b.Status.State == KnowledgeIngestionState.NotIngested && b.Options.IngestOnStart)).ToList();
        return Task.FromResult(waiting.Count > 0
            ? HealthCheckResult.Degraded($"Knowledge base(s) ingesting: {string.Join(", ", waiting.Select(b => b.Name))}", data: data)
            : HealthCheckResult.Healthy("All knowledge bases ingested.", data));
    }
}
