namespace AgentKit.Hosting.Configuration;

/// <summary>
/// <c>AgentKit:Models:&lt;name&gt;:Speculation</c>: speculative decoding of a local (llama) chat model — prompt lookup
/// and/or a draft model — which decodes several tokens per step when drafts are accepted and never changes the answer.
/// Validated at start; see <c>docs/llama.md</c>.
/// </summary>
public sealed class SpeculationSettings
{
    /// <summary>Turns speculative decoding on. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Draft from n-gram matches in the prompt and the generated text (no model call; strong for RAG answers). Default: true.</summary>
    public bool PromptLookup { get; set; } = true;

    /// <summary>
    /// The name of another entry of <c>AgentKit:Models</c> (a llama model with the same vocabulary: a quantized copy
    /// or a smaller model of the family) that drafts when prompt lookup finds nothing. Default: none.
    /// </summary>
    public string? DraftModel { get; set; }

    /// <summary>Most tokens drafted per step; the length used adapts to the acceptance rate. Default: 8; 1 to 64.</summary>
    public int MaxDraftTokens { get; set; } = 8;
}
