using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Abstractions;

/// <summary>
/// Per-token log-probabilities of an answer, for engines that offer them (AgentKit's llama.cpp chat client does): a
/// request asks with <see cref="WithTokenLogProbabilities"/>, and the answer carries one natural-log probability per
/// generated token under the model's own distribution (the softmax of its logits, before temperature or top-k/p),
/// read with <see cref="Get"/>. A client that does not offer them ignores the request.
/// </summary>
public static class TokenLogProbabilities
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> flag that asks for them, and the response property that holds them (a <see cref="float"/> array).</summary>
    public const string PropertyKey = "agentkit.logprobs";

    /// <summary>Asks for the answer's token log-probabilities.</summary>
    /// <param name="options">The request's options (changed and returned).</param>
    /// <returns><paramref name="options"/>.</returns>
    public static ChatOptions WithTokenLogProbabilities(this ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[PropertyKey] = true;
        return options;
    }

    /// <summary>Whether <paramref name="options"/> ask for token log-probabilities.</summary>
    /// <param name="options">The request's options.</param>
    /// <returns>True when the flag is set to <see langword="true"/>.</returns>
    public static bool Requested(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyKey, out var value) == true
        && value is true or JsonElement { ValueKind: JsonValueKind.True };

    /// <summary>The log-probabilities of the answer's generated tokens, in order; <see langword="null"/> when the model gave none.</summary>
    /// <param name="response">The answer (also after a round trip through JSON, as a cache stores it).</param>
    /// <returns>One value per token, each at most 0.</returns>
    /// <remarks>
    /// Looked up on the response and then on its messages, last first: a streamed answer's updates carry a message id,
    /// and <c>ToChatResponse</c> keeps such an update's properties on the message.
    /// </remarks>
    public static IReadOnlyList<float>? Get(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties) ?? response.Messages.Reverse().Select(m => Read(m.AdditionalProperties)).FirstOrDefault(v => v is not null);
    }

    private static IReadOnlyList<float>? Read(AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(PropertyKey, out var value) == true
            ? value switch
            {
                IReadOnlyList<float> values => values,
                JsonElement { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray().Select(e => e.GetSingle())],
                _ => null,
            }
            : null;
}
