using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Caching;

/// <summary>
/// Answers repeated and similar requests from a <see cref="CompletionCache"/> instead of the model. Streaming requests
/// are served from the cache as a stream, and a streamed answer is stored only once its stream completed. What must
/// not be cached (side-effecting tool calls, truncated answers, per-user data outside a user-session scope) passes
/// through untouched.
/// </summary>
public sealed class CompletionCacheChatClient : DelegatingChatClient
{
    private readonly CompletionCache _cache;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The model.</param>
    /// <param name="cache">The cache.</param>
    public CompletionCacheChatClient(IChatClient innerClient, CompletionCache cache)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
    }

    /// <summary>The cache (for invalidation).</summary>
    public CompletionCache Cache => _cache;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var lookup = await _cache.LookupAsync(list, options, ModelId, cancellationToken).ConfigureAwait(false);
        if (lookup.Hit is { } hit)
        {
            return hit;
        }

        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (lookup.Storable)
        {
            await _cache.StoreAsync(lookup, response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var lookup = await _cache.LookupAsync(list, options, ModelId, cancellationToken).ConfigureAwait(false);
        if (lookup.Hit is { } hit)
        {
            foreach (var update in hit.ToChatResponseUpdates())
            {
                (update.AdditionalProperties ??= [])[CompletionCacheRequest.ServedFromKey] = lookup.HitLayer;
                yield return update;
            }

            yield break;
        }

        var updates = lookup.Storable ? new List<ChatResponseUpdate>() : null;
        var chars = 0;
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            if (updates is not null)
            {
                chars += update.Text.Length;

                // Past the size bound the answer will not be stored; stop holding it.
                updates = chars > _cache.Options.MaxResponseChars ? null : updates;
                updates?.Add(update);
            }

            yield return update;
        }

        // Reached only when the stream ran to its end: a caller that stopped early, a failure or a cancellation
        // leaves a partial answer, which is never stored.
        if (updates is not null)
        {
            await _cache.StoreAsync(lookup, updates.ToChatResponse(), cancellationToken).ConfigureAwait(false);
        }
    }

    private string? ModelId => InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
}
