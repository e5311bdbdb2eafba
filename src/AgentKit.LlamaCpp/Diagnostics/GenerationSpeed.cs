using System.Diagnostics;
using AgentKit.LlamaCpp.Generation;

namespace AgentKit.LlamaCpp.Diagnostics;

/// <summary>
/// Measures one generation for the <c>AgentKit.LlamaCpp</c> meter: prompt decoding runs from the start until the first
/// token, generation from the first token to the last. Costs one timestamp per token, and nothing is recorded when no
/// one listens.
/// </summary>
internal struct GenerationSpeed(string? modelId)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstToken;
    private long _lastToken;

    public void OnToken()
    {
        _lastToken = Stopwatch.GetTimestamp();
        if (_firstToken == 0)
        {
            _firstToken = _lastToken;
        }
    }

    public readonly void Record(LlamaUsage usage)
    {
        var model = LlamaTelemetry.ModelTag(modelId);
        if (usage.DraftTokens > 0)
        {
            LlamaTelemetry.SpeculativeDrafted.Add(usage.DraftTokens, model);
            LlamaTelemetry.SpeculativeAccepted.Add(usage.AcceptedDraftTokens, model);
            LlamaTelemetry.SpeculativeAcceptance.Record((double)usage.AcceptedDraftTokens / usage.DraftTokens, model);
        }

        if (_firstToken == 0)
        {
            return;
        }

        var decoded = usage.PromptTokens - usage.ReusedPromptTokens;
        var promptSeconds = Stopwatch.GetElapsedTime(_started, _firstToken).TotalSeconds;
        if (LlamaTelemetry.PromptRate.Enabled && decoded > 0 && promptSeconds > 0)
        {
            LlamaTelemetry.PromptRate.Record(decoded / promptSeconds, model);
        }

        var generateSeconds = Stopwatch.GetElapsedTime(_firstToken, _lastToken).TotalSeconds;
        if (LlamaTelemetry.GenerationRate.Enabled && usage.GeneratedTokens > 1 && generateSeconds > 0)
        {
            LlamaTelemetry.GenerationRate.Record((usage.GeneratedTokens - 1) / generateSeconds, model);
        }
    }
}
