using AgentKit.LlamaCpp.Generation;

namespace AgentKit.LlamaCpp.Chat;

public sealed partial class LlamaChatClient
{
    private static LlamaContextPool? CreateDraftPool(LlamaModel model, LlamaChatClientOptions options, string modelId)
    {
        if (options.DraftModel is not { } draft)
        {
            return null;
        }

        DraftVocabulary.EnsureCompatible(model, draft);
        // One sequence: a draft only ever follows the request's own conversation.
        return new LlamaContextPool(draft, options.Context with { MaxSequences = 1 }, options.MaxContexts, modelId + "/draft", options.ShareThreadsAcrossContexts);
    }

    /// <summary>Rents a draft context for a request when the client has a draft model.</summary>
    private async Task<LlamaContextPool.Lease?> RentDraftAsync(IReadOnlyList<LlamaToken> prompt, CancellationToken cancellationToken) =>
        _draftPool is null ? null : await _draftPool.RentAsync(prompt, cancellationToken).ConfigureAwait(false);

    /// <summary>The generation options with the client's speculative decoding, on the rented draft context if any.</summary>
    private LlamaGenerationOptions WithSpeculation(LlamaGenerationOptions generation, LlamaContextPool.Lease? draft)
    {
        if (_options.Speculation is null && draft is null)
        {
            return generation;
        }

        var speculation = (_options.Speculation ?? new LlamaSpeculationOptions()) with { DraftContext = draft?.Context };
        return generation with { Speculation = speculation };
    }
}
