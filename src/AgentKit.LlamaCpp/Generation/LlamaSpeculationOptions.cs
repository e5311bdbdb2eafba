namespace AgentKit.LlamaCpp.Generation;

/// <summary>
/// Speculative decoding of one generation: cheap drafts of the next tokens (from an n-gram match in the prompt and the
/// text generated so far, and/or from a smaller draft model) are verified by the target model in one decode, which
/// yields every accepted draft token plus one more token per decode. The output is the target's own: token for token
/// under greedy decoding, and the target's distribution under sampling (a draft token is kept only when the target's
/// draw at that position is that token, the rejection rule for a deterministic draft).
/// </summary>
public sealed record LlamaSpeculationOptions
{
    /// <summary>
    /// Draft by prompt lookup: find the latest earlier occurrence of the last <see cref="LookupMaxNgram"/> (down to
    /// <see cref="LookupMinNgram"/>) tokens in the prompt plus the generated text and propose what followed it. Costs
    /// no model call; strong when the answer quotes its context (RAG, code edits). Default true.
    /// </summary>
    public bool PromptLookup { get; init; } = true;

    /// <summary>Shortest n-gram prompt lookup matches. Default 2.</summary>
    public int LookupMinNgram { get; init; } = 2;

    /// <summary>Longest n-gram prompt lookup tries first. Default 4.</summary>
    public int LookupMaxNgram { get; init; } = 4;

    /// <summary>
    /// A context on the draft model (a smaller model with the same vocabulary), used when prompt lookup finds nothing.
    /// Its sequence 0 is the draft's: the context must not be used by anything else during the generation. Null: no
    /// draft model. Set by <see cref="Chat.LlamaChatClient"/> from <see cref="Chat.LlamaChatClientOptions.DraftModel"/>.
    /// </summary>
    public LlamaContext? DraftContext { get; init; }

    /// <summary>
    /// Most tokens drafted per verification. With <see cref="AdaptiveDraftLength"/> the length used adapts below this.
    /// Default 8.
    /// </summary>
    public int MaxDraftTokens { get; init; } = 8;

    /// <summary>
    /// Adapt the draft length (default true). Prompt lookup drafts the expected run of accepted tokens plus one (from
    /// its recent acceptance, 1 to <see cref="MaxDraftTokens"/>); the draft model drafts the length with the most
    /// expected tokens per second, weighing its recent acceptance against the measured time of its decodes and of the
    /// verify decodes, from 0 (decode plainly: the draft costs more than it saves; it is tried again every 16 rounds)
    /// to <see cref="MaxDraftTokens"/>. False: always draft <see cref="MaxDraftTokens"/> tokens (llama.cpp's
    /// <c>llama-speculative --spec-draft-n-max</c> behaviour).
    /// </summary>
    public bool AdaptiveDraftLength { get; init; } = true;

    internal void Validate(bool requireDrafter = true)
    {
        Check(MaxDraftTokens is >= 1 and <= 64, nameof(MaxDraftTokens), MaxDraftTokens, "1 to 64");
        Check(LookupMinNgram is >= 1 and <= 16, nameof(LookupMinNgram), LookupMinNgram, "1 to 16");
        Check(LookupMaxNgram >= LookupMinNgram && LookupMaxNgram <= 16, nameof(LookupMaxNgram), LookupMaxNgram, $"{LookupMinNgram} (LookupMinNgram) to 16");
        if (requireDrafter && !PromptLookup && DraftContext is null)
        {
            throw new ArgumentException("LlamaSpeculationOptions drafts nothing: turn PromptLookup on or set a DraftContext (LlamaChatClientOptions.DraftModel in a chat client).");
        }
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"LlamaSpeculationOptions.{name} must be {range}.");
        }
    }
}
