using AgentKit.LlamaCpp.Sampling;

namespace AgentKit.LlamaCpp.Generation;

/// <summary>Options of one generation: how many tokens, when to stop, how to sample.</summary>
public sealed record LlamaGenerationOptions
{
    /// <summary>Most tokens to generate. Default 512.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>
    /// Strings that end generation when they appear in the output (they may span several tokens); the stop
    /// string itself is not returned.
    /// </summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>How tokens are chosen.</summary>
    public LlamaSamplingOptions Sampling { get; init; } = new();

    /// <summary>Render control tokens (such as <c>&lt;|im_end|&gt;</c>) as text instead of dropping them. Default false.</summary>
    public bool RenderSpecialTokens { get; init; }

    /// <summary>
    /// Report each generated token's log-probability (<see cref="LlamaGenerationUpdate.LogProbability"/>) under the
    /// model's distribution: the log-softmax of the raw logits, before penalties, grammar, temperature or top-k/p. Default
    /// false: it costs one pass over the vocabulary per token.
    /// </summary>
    public bool LogProbabilities { get; init; }

    /// <summary>Speculative decoding (prompt lookup and/or a draft model); null, the default, decodes one token per step.</summary>
    public LlamaSpeculationOptions? Speculation { get; init; }

    internal void Validate()
    {
        if (MaxTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "LlamaGenerationOptions.MaxTokens must be 1 or more.");
        }

        ArgumentNullException.ThrowIfNull(StopSequences);
        if (StopSequences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("LlamaGenerationOptions.StopSequences must not contain empty strings.", nameof(StopSequences));
        }

        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        Speculation?.Validate();
    }
}

/// <summary>Why a generation ended.</summary>
public enum LlamaFinishReason
{
    /// <summary>The model produced an end-of-generation token, or a stop sequence appeared.</summary>
    Stop,

    /// <summary>The token limit (<see cref="LlamaGenerationOptions.MaxTokens"/>) or the context's capacity was reached.</summary>
    Length,
}

/// <summary>One step of a streamed generation.</summary>
/// <param name="Text">New text (may be empty while a possible stop sequence or an incomplete character is held back).</param>
/// <param name="Token">The token this step produced; <see cref="LlamaToken.Null"/> on the final update.</param>
/// <param name="FinishReason">Set on the final update only.</param>
/// <param name="Usage">Token counts so far.</param>
public readonly record struct LlamaGenerationUpdate(string Text, LlamaToken Token, LlamaFinishReason? FinishReason, LlamaUsage Usage)
{
    /// <summary>The natural-log probability of <see cref="Token"/> under the model; set when <see cref="LlamaGenerationOptions.LogProbabilities"/> is on.</summary>
    public float? LogProbability { get; init; }
}

/// <summary>Token counts of a generation.</summary>
/// <param name="PromptTokens">Tokens in the prompt.</param>
/// <param name="ReusedPromptTokens">Prompt tokens served from the KV cache instead of being decoded.</param>
/// <param name="GeneratedTokens">Tokens generated.</param>
public readonly record struct LlamaUsage(int PromptTokens, int ReusedPromptTokens, int GeneratedTokens)
{
    /// <summary>Tokens drafted for speculative decoding (0 without it).</summary>
    public int DraftTokens { get; init; }

    /// <summary>Drafted tokens the model accepted; <see cref="AcceptedDraftTokens"/> / <see cref="DraftTokens"/> is the acceptance rate.</summary>
    public int AcceptedDraftTokens { get; init; }
}
