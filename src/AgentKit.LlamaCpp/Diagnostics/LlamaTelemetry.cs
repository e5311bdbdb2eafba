using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.LlamaCpp.Diagnostics;

/// <summary>
/// The <c>AgentKit.LlamaCpp</c> meter: prompt and generation speed of the local engine, and the context pool's use
/// and queue. Every instrument carries <c>agentkit.llama.model</c> (the client's model id).
/// </summary>
internal static class LlamaTelemetry
{
    public static Meter Meter { get; } = new(AgentKitTelemetry.LlamaCppMeterName, AgentKitTelemetry.Version);

    /// <summary><c>agentkit.llama.prompt.tokens_per_second</c>: prompt tokens decoded per second (reused KV-cache tokens excluded).</summary>
    public static Histogram<double> PromptRate { get; } =
        Meter.CreateHistogram<double>("agentkit.llama.prompt.tokens_per_second", "{token}/s", "Prompt tokens decoded per second by the local engine.");

    /// <summary><c>agentkit.llama.generation.tokens_per_second</c>: tokens generated per second after the first.</summary>
    public static Histogram<double> GenerationRate { get; } =
        Meter.CreateHistogram<double>("agentkit.llama.generation.tokens_per_second", "{token}/s", "Tokens generated per second by the local engine.");

    /// <summary>
    /// <c>agentkit.llama.speculative.acceptance_rate</c>: per speculative generation, the share of drafted tokens the model
    /// accepted (0 to 1); low values mean drafting costs more than it saves.
    /// </summary>
    public static Histogram<double> SpeculativeAcceptance { get; } =
        Meter.CreateHistogram<double>("agentkit.llama.speculative.acceptance_rate", "1", "Share of drafted tokens the local engine accepted per speculative generation.");

    /// <summary><c>agentkit.llama.speculative.draft_tokens</c>: tokens drafted for speculative decoding.</summary>
    public static Counter<long> SpeculativeDrafted { get; } =
        Meter.CreateCounter<long>("agentkit.llama.speculative.draft_tokens", "{token}", "Tokens drafted for speculative decoding by the local engine.");

    /// <summary><c>agentkit.llama.speculative.accepted_tokens</c>: drafted tokens the model accepted.</summary>
    public static Counter<long> SpeculativeAccepted { get; } =
        Meter.CreateCounter<long>("agentkit.llama.speculative.accepted_tokens", "{token}", "Drafted tokens the local engine accepted.");

    /// <summary><c>agentkit.llama.context_pool.limit</c>: contexts the pools may hold.</summary>
    public static UpDownCounter<int> PoolLimit { get; } =
        Meter.CreateUpDownCounter<int>("agentkit.llama.context_pool.limit", "{context}", "Most contexts the local engine's pools may hold.");

    /// <summary><c>agentkit.llama.context_pool.in_use</c>: contexts running a request now.</summary>
    public static UpDownCounter<int> PoolInUse { get; } =
        Meter.CreateUpDownCounter<int>("agentkit.llama.context_pool.in_use", "{context}", "Contexts of the local engine running a request.");

    /// <summary><c>agentkit.llama.context_pool.queued</c>: requests waiting for a context (the queue depth).</summary>
    public static UpDownCounter<int> PoolQueued { get; } =
        Meter.CreateUpDownCounter<int>("agentkit.llama.context_pool.queued", "{request}", "Requests waiting for a context of the local engine.");

    /// <summary><c>agentkit.llama.context_pool.wait.duration</c> (s): how long requests waited for a context.</summary>
    public static Histogram<double> PoolWait { get; } =
        Meter.CreateHistogram<double>("agentkit.llama.context_pool.wait.duration", "s", "Time requests waited for a context of the local engine.");

    public static KeyValuePair<string, object?> ModelTag(string? modelId) => new(TelemetryAttributes.LlamaModel, modelId);
}
