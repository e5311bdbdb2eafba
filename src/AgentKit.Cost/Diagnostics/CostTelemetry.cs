using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Cost.Diagnostics;

/// <summary>The <c>AgentKit.Cost</c> meter's instruments.</summary>
internal static class CostTelemetry
{
    public const string LayerTag = "agentkit.cache.layer";

    public const string ReasonTag = "agentkit.cache.reason";

    public const string ModelTag = "gen_ai.request.model";

    public static Meter Meter { get; } = new(AgentKitTelemetry.CostMeterName, AgentKitTelemetry.Version);

    public static Counter<long> Hits { get; } = Meter.CreateCounter<long>("agentkit.cache.hits", "{request}", "Requests answered from the completion cache, by layer (exact, semantic).");

    public static Counter<long> Misses { get; } = Meter.CreateCounter<long>("agentkit.cache.misses", "{request}", "Cacheable requests the completion cache could not answer.");

    public static Counter<long> GuardRejections { get; } = Meter.CreateCounter<long>("agentkit.cache.guard_rejections", "{request}", "Semantic matches refused because the requests' entities differ.");

    public static Counter<long> Bypassed { get; } = Meter.CreateCounter<long>("agentkit.cache.bypassed", "{request}", "Requests or responses the completion cache must not hold, by reason.");

    public static Counter<long> Evictions { get; } = Meter.CreateCounter<long>("agentkit.cache.evictions", "{entry}", "Entries removed to keep the cache within its size bound.");

    public static Histogram<double> LookupDuration { get; } = Meter.CreateHistogram<double>("agentkit.cache.lookup.duration", "s", "Time to look a request up in the completion cache.");

    public static Counter<long> CascadeSteps { get; } = Meter.CreateCounter<long>("agentkit.cascade.steps", "{step}", "Cascade steps run, by model and whether the answer was accepted.");

    public static Counter<long> RouterDecisions { get; } = Meter.CreateCounter<long>("agentkit.router.decisions", "{request}", "Router decisions, by chosen model (fallback when not confident).");
}
