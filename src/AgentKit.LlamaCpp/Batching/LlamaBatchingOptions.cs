namespace AgentKit.LlamaCpp.Batching;

/// <summary>
/// Options of a <see cref="LlamaBatchScheduler"/>: continuous batching of concurrent requests in one context.
/// Every value is checked when the scheduler is created; an out-of-range value raises
/// <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
public sealed record LlamaBatchingOptions
{
    /// <summary>
    /// Requests decoded together (one KV-cache sequence each). Requests beyond it wait in the queue. Default 8,
    /// at most 256.
    /// </summary>
    public int MaxSequences { get; init; } = 8;

    /// <summary>
    /// KV-cache cells shared by all sequences (the unified cache of the one context), so it bounds the prompts and
    /// answers of all running requests together; one request may use all of it. Default 16384.
    /// </summary>
    public int ContextSize { get; init; } = 16384;

    /// <summary>
    /// Requests that may wait for a sequence while all <see cref="MaxSequences"/> are busy; one more is refused at
    /// once with <see cref="LlamaBusyException"/>. Default 64.
    /// </summary>
    public int MaxQueuedRequests { get; init; } = 64;

    /// <summary>
    /// Most prompt tokens decoded in one step while other requests are generating, so a long prompt is decoded in
    /// chunks between their tokens instead of stalling their streams for its whole length. With nobody
    /// generating, a step takes a full batch of prompt. Default 128.
    /// </summary>
    public int PrefillChunkTokens { get; init; } = 128;

    /// <summary>
    /// Whether a prompt's prefix already held by another sequence (a shared system prompt, an earlier turn of the
    /// conversation) is copied in the KV cache instead of decoded again. Default true.
    /// </summary>
    public bool PrefixCache { get; init; } = true;

    internal void Validate()
    {
        Check(MaxSequences is >= 1 and <= 256, nameof(MaxSequences), MaxSequences, "1 to 256");
        Check(ContextSize is >= 16 and <= LlamaContextOptions.MaxContextSize, nameof(ContextSize), ContextSize, $"16 to {LlamaContextOptions.MaxContextSize}");
        Check(MaxQueuedRequests is >= 0 and <= 100_000, nameof(MaxQueuedRequests), MaxQueuedRequests, "0 to 100000");
        Check(PrefillChunkTokens is >= 1 and <= LlamaContextOptions.MaxContextSize, nameof(PrefillChunkTokens), PrefillChunkTokens, $"1 to {LlamaContextOptions.MaxContextSize}");
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"LlamaBatchingOptions.{name} must be {range}.");
        }
    }
}

/// <summary>Counters of a <see cref="LlamaBatchScheduler"/> since it started.</summary>
/// <param name="Requests">Requests that got a sequence.</param>
/// <param name="Steps">Decode calls (one per step, all active sequences together).</param>
/// <param name="PromptTokensDecoded">Prompt tokens run through the model.</param>
/// <param name="PromptTokensReused">Prompt tokens taken from the KV cache (the request's own sequence or a copied prefix) instead.</param>
/// <param name="PrefixCopies">Times a prefix was copied from another sequence.</param>
/// <param name="GeneratedTokens">Tokens generated, all requests together.</param>
/// <param name="BatchedTokens">Tokens the steps' decodes held (generated tokens fed back, drafted tokens and prompt chunks); over <paramref name="Steps"/> it is the mean batch.</param>
/// <param name="StepTime">Time the loop spent in steps (sampling, batch building, decoding, streaming out), idle waits excluded.</param>
/// <param name="DecodeTime">Time in llama_decode: the model's own work; <paramref name="StepTime"/> minus it is the scheduler's overhead.</param>
/// <param name="SamplingTime">Time sampling the next tokens (native sampler chains, stop sequences, text decoding and handing tokens to the readers).</param>
public sealed record LlamaBatchStatistics(
    long Requests,
    long Steps,
    long PromptTokensDecoded,
    long PromptTokensReused,
    long PrefixCopies,
    long GeneratedTokens,
    long BatchedTokens,
    TimeSpan StepTime,
    TimeSpan DecodeTime,
    TimeSpan SamplingTime)
{
    /// <summary>Tokens drafted by prompt lookup (requests with <see cref="Generation.LlamaGenerationOptions.Speculation"/>) and decoded for verification.</summary>
    public long DraftTokens { get; init; }

    /// <summary>Drafted tokens the requests' own draws confirmed; each saved a step for its request.</summary>
    public long AcceptedDraftTokens { get; init; }
}
