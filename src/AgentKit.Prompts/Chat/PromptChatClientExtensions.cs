using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Prompts;

/// <summary>Calls an <see cref="IChatClient"/> with a rendered prompt, and asks for typed, validated answers.</summary>
public static class PromptChatClientExtensions
{
    /// <summary>Renders <paramref name="prompt"/> and sends its messages with its model parameters.</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The prompt.</param>
    /// <param name="inputs">The prompt's inputs.</param>
    /// <param name="options">Options whose set values win over the prompt's parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model's response.</returns>
    /// <exception cref="PromptException">The inputs do not fit the prompt.</exception>
    public static Task<ChatResponse> GetResponseAsync(
        this IChatClient client, PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(prompt);
        return client.GetResponseAsync(prompt.Render(inputs), prompt.CreateChatOptions(options), cancellationToken);
    }

    /// <summary>Renders <paramref name="prompt"/> and streams the answer to its messages.</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The prompt.</param>
    /// <param name="inputs">The prompt's inputs.</param>
    /// <param name="options">Options whose set values win over the prompt's parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response updates.</returns>
    /// <exception cref="PromptException">The inputs do not fit the prompt (raised before anything is sent).</exception>
    public static IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        this IChatClient client, PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(prompt);
        return client.GetStreamingResponseAsync(prompt.Render(inputs), prompt.CreateChatOptions(options), cancellationToken);
    }

    /// <summary>
    /// Renders <paramref name="prompt"/>, asks for JSON that satisfies a schema and deserializes the answer. The schema
    /// is the prompt's <c>outputs</c>, else one generated from <typeparamref name="T"/>. A bad answer (not JSON, not
    /// matching the schema, not deserializable) is sent back once with the validation error for a corrected answer.
    /// </summary>
    /// <typeparam name="T">The answer's type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The prompt.</param>
    /// <param name="inputs">The prompt's inputs.</param>
    /// <param name="options">Options whose set values win over the prompt's parameters (the response format is always the schema).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The deserialized answer.</returns>
    /// <exception cref="PromptOutputException">The second answer is still invalid; it carries the raw answer and the error.</exception>
    /// <exception cref="PromptException">The inputs do not fit the prompt.</exception>
    public static async Task<T> GetStructuredAsync<T>(
        this IChatClient client, PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var serializer = AIJsonUtilities.DefaultOptions;
        var schema = prompt.OutputSchema ?? AIJsonUtilities.CreateJsonSchema(typeof(T), serializerOptions: serializer);
        T? result = default;
        await StructuredCall.RunAsync(client, prompt, inputs, schema, options, json =>
        {
            try
            {
                result = (T?)json.Deserialize(serializer.GetTypeInfo(typeof(T)));
                return result is null ? "the answer is null." : null;
            }
            catch (JsonException e)
            {
                return $"the answer does not fit {typeof(T).Name}: {e.Message}";
            }
        }, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>
    /// Renders <paramref name="prompt"/>, asks for JSON that satisfies the prompt's <c>outputs</c> schema, and returns
    /// the validated JSON. A bad answer is sent back once with the validation error for a corrected answer.
    /// </summary>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The prompt; it must declare <c>outputs</c>.</param>
    /// <param name="inputs">The prompt's inputs.</param>
    /// <param name="options">Options whose set values win over the prompt's parameters (the response format is always the schema).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="PromptException">The prompt declares no <c>outputs</c>, or the inputs do not fit it.</exception>
    /// <exception cref="PromptOutputException">The second answer is still invalid.</exception>
    public static Task<JsonElement> GetStructuredAsync(
        this IChatClient client, PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var schema = prompt.OutputSchema
            ?? throw new PromptException("the prompt declares no 'outputs' schema, so a structured answer cannot be checked; declare one or call GetStructuredAsync<T>.", prompt.FilePath, 1);
        return StructuredCall.RunAsync(client, prompt, inputs, schema, options, _ => null, cancellationToken);
    }
}
