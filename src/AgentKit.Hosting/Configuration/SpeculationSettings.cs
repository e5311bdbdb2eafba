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

    /// <summary>Most tokens drafted per step. Default: 8; 1 to 64.</summary>
    public int MaxDraftTokens { get; set; } = 8;

    /// <summary>
    /// Adapt the draft length to the acceptance rate and the measured draft and verify costs (a draft model that does
    /// not pay stops drafting). False: always draft <see cref="MaxDraftTokens"/>, as <c>llama-speculative</c> does. Default: true.
    /// </summary>
    public bool AdaptiveDraftLength { get; set; } = true;

    /// <summary>Shortest n-gram prompt lookup matches. Default: 2; 1 to 16.</summary>
    public int LookupMinNgram { get; set; } = 2;

    /// <summary>Longest n-gram prompt lookup tries first. Default: 4; <see cref="LookupMinNgram"/> to 16.</summary>
    public int LookupMaxNgram { get; set; } = 4;
}
