using System.Text.Json;
using AgentKit.Abstractions.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Prompts;

/// <summary>One structured call: ask for schema JSON, check it, and on a bad answer ask once more with the error.</summary>
internal static class StructuredCall
{
    private const int MaxErrorsShown = 10;

    // accept checks a schema-valid answer further (deserialization) and returns the error, or null.
    public static async Task<JsonElement> RunAsync(
        IChatClient client,
        PromptTemplate prompt,
        IReadOnlyDictionary<string, object?> inputs,
        JsonElement schema,
        ChatOptions? options,
        Func<JsonElement, string?> accept,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var messages = prompt.Render(inputs).ToList();
        var chatOptions = prompt.CreateChatOptions(options);
        chatOptions.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, prompt.SchemaName, prompt.Description);

        var answer = await AskAsync().ConfigureAwait(false);
        var (value, error) = Check(answer, schema, accept);
        if (error is null)
        {
            return value;
        }

        messages.Add(new ChatMessage(ChatRole.Assistant, answer));
        messages.Add(new ChatMessage(ChatRole.User,
            $"That answer is not valid: {error}\nReply again with only a JSON value that satisfies this JSON Schema, with no other text:\n{JsonSerializer.Serialize(schema)}"));
        answer = await AskAsync().ConfigureAwait(false);
        (value, error) = Check(answer, schema, accept);
        return error is null ? value : throw new PromptOutputException(prompt.Name, answer, error);

        async Task<string> AskAsync() => (await client.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false)).Text;
    }

    private static (JsonElement Value, string? Error) Check(string answer, JsonElement schema, Func<JsonElement, string?> accept)
    {
        JsonElement value;
        try
        {
            using var document = JsonDocument.Parse(StripFence(answer));
            value = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return (default, $"it is not JSON ({e.Message}).");
        }

        var problems = JsonSchemaValidator.Validate(schema, value);
        if (problems.Count > 0)
        {
            var shown = string.Join("; ", problems.Take(MaxErrorsShown));
            return (value, $"it does not match the schema: {shown}{(problems.Count > MaxErrorsShown ? "; …" : "")}.");
        }

        return (value, accept(value));
    }

    /// <summary>Models often wrap JSON in a Markdown code fence even when asked not to; the fence is not the answer.</summary>
    private static string StripFence(string answer)
    {
        var text = answer.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal) || !text.EndsWith("```", StringComparison.Ordinal) || text.Length < 6)
        {
            return text;
        }

        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        return firstLine < 0 ? text[3..^3] : text[(firstLine + 1)..^3];
    }
}
