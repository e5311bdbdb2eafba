using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions;

/// <summary>
/// A capability some chat clients offer through <see cref="IChatClient.GetService"/>: several completions
/// decoded together, sharing the work on their common prompt. An engine with multi-sequence decoding decodes
/// the shared prompt once and advances every completion in one batch per step, which is what self-consistency
/// and Tree-of-Thoughts want. Planners ask for it and fall back to parallel requests when it is absent:
/// <code>
/// var multi = chatClient.GetService&lt;IMultiSequenceChatClient&gt;();
/// </code>
/// </summary>
public interface IMultiSequenceChatClient
{
    /// <summary>Most completions one call can produce.</summary>
    int MaxSequences { get; }

    /// <summary>
    /// Draws <paramref name="count"/> completions of one conversation. With a seed in <paramref name="options"/>,
    /// completion i uses seed + i, so the same seed gives the same set of answers.
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="count">How many completions, from 1 to <see cref="MaxSequences"/>.</param>
    /// <param name="options">Options applied to every completion.</param>
    /// <param name="cancellationToken">Stops all completions.</param>
    /// <returns>The completions, in order.</returns>
    Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes several conversations that share a prefix (for example sibling states of a search tree, all
    /// extending the same history): the shared part is processed once.
    /// </summary>
    /// <param name="conversations">The conversations, at most <see cref="MaxSequences"/>.</param>
    /// <param name="options">Options applied to every completion.</param>
    /// <param name="cancellationToken">Stops all completions.</param>
    /// <returns>One completion per conversation, in order.</returns>
    Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IReadOnlyList<IEnumerable<ChatMessage>> conversations, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
