using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Caching;

/// <summary>The normalised request: one hash of everything that shapes the answer, and one of everything but the last user message.</summary>
/// <param name="ExactKey">Messages, options and model.</param>
/// <param name="ContextKey">The same without the last user message's text: requests whose answers may be shared by similarity must agree on it.</param>
/// <param name="LastUserText">The last user message's text when it is the request's last message and holds only text; else <see langword="null"/>.</param>
internal sealed record CacheKey(string ExactKey, string ContextKey, string? LastUserText);

internal static class CacheKeyBuilder
{
    public static CacheKey Build(IReadOnlyList<ChatMessage> messages, ChatOptions? options, string? modelId, string scope)
    {
        var last = messages.Count > 0 ? messages[^1] : null;
        var lastUserText = last is not null && last.Role == ChatRole.User && last.Contents.Count > 0 && last.Contents.All(c => c is TextContent)
            ? Normalise(last.Text)
            : null;

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("scope", scope);
            writer.WriteString("model", options?.ModelId ?? modelId);
            WriteOptions(writer, options);
            writer.WriteStartArray("messages");
            var count = lastUserText is null ? messages.Count : messages.Count - 1;
            for (var i = 0; i < count; i++)
            {
                WriteMessage(writer, messages[i]);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var context = Hash(buffer.WrittenSpan, null);
        var exact = lastUserText is null ? context : Hash(buffer.WrittenSpan, lastUserText);
        return new CacheKey(exact, context, lastUserText);
    }

    /// <summary>Whitespace collapsed and trimmed, Unicode NFC: requests that differ only there are the same request.</summary>
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormC))
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string Hash(ReadOnlySpan<byte> context, string? lastUserText)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(context);
        if (lastUserText is not null)
        {
            hash.AppendData("\u0000user:"u8);
            hash.AppendData(Encoding.UTF8.GetBytes(lastUserText));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void WriteMessage(Utf8JsonWriter writer, ChatMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("role", message.Role.Value);
        writer.WriteString("author", message.AuthorName);
        writer.WriteStartArray("contents");
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    writer.WriteStringValue(Normalise(text.Text));
                    break;
                case TextReasoningContent:
                    // The model's own reasoning from an earlier turn does not change what is asked.
                    break;
                default:
                    writer.WriteRawValue(JsonSerializer.Serialize(content, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(AIContent))));
                    break;
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions? options)
    {
        writer.WriteStartObject("options");
        if (options is not null)
        {
            writer.WriteString("instructions", options.Instructions);
            WriteNumber(writer, "temperature", options.Temperature);
            WriteNumber(writer, "topP", options.TopP);
            WriteNumber(writer, "topK", options.TopK);
            WriteNumber(writer, "maxOutputTokens", options.MaxOutputTokens);
            WriteNumber(writer, "frequencyPenalty", options.FrequencyPenalty);
            WriteNumber(writer, "presencePenalty", options.PresencePenalty);
            if (options.Seed is { } seed)
            {
                writer.WriteNumber("seed", seed);
            }

            if (options.StopSequences is { Count: > 0 } stops)
            {
                writer.WriteStartArray("stop");
                foreach (var stop in stops)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            if (options.ResponseFormat is { } format)
            {
                writer.WritePropertyName("responseFormat");
                writer.WriteRawValue(JsonSerializer.Serialize(format, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponseFormat))));
            }

            writer.WriteString("toolMode", options.ToolMode switch
            {
                null => null,
                RequiredChatToolMode { RequiredFunctionName: { } name } => "required:" + name,
                RequiredChatToolMode => "required",
                NoneChatToolMode => "none",
                _ => "auto",
            });
            writer.WriteStartArray("tools");
            foreach (var tool in options.Tools ?? [])
            {
                writer.WriteStartObject();
                writer.WriteString("name", tool.Name);
                writer.WriteString("description", tool.Description);
                if (tool is AIFunctionDeclaration function)
                {
                    writer.WritePropertyName("schema");
                    function.JsonSchema.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("additional");
            foreach (var (key, value) in (options.AdditionalProperties ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!CompletionCacheRequest.OwnKeys.Contains(key))
                {
                    writer.WriteString(key, value is null ? null : JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object))));
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, float? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
