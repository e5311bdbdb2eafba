using System.Text.Json;
using AgentKit.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace AgentKit.Server.ChatCompletions;

/// <summary>Maps OpenAI's wire format to Microsoft.Extensions.AI and back, refusing what it cannot honour with a named field.</summary>
internal static class ChatCompletionMapper
{
    private const int MaxStopSequences = 4;

    public static List<ChatMessage> ToMessages(ChatCompletionRequest request, AgentKitServerOptions limits)
    {
        if (request.Messages is not { Count: > 0 } messages)
        {
            throw BadRequest("'messages' must contain at least one message.", "messages");
        }

        if (messages.Count > limits.MaxMessages)
        {
            throw BadRequest($"'messages' has {messages.Count} entries; the limit is {limits.MaxMessages}.", "messages");
        }

        var result = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            result.Add(ToMessage(messages[i], $"messages[{i}]"));
        }

        return result;
    }

    private static ChatMessage ToMessage(WireMessage wire, string path)
    {
        var text = ReadContent(wire.Content, $"{path}.content");
        switch (wire.Role)
        {
            case "system" or "developer":
                return new ChatMessage(ChatRole.System, text);
            case "user":
                return new ChatMessage(ChatRole.User, text) { AuthorName = wire.Name };
            case "assistant":
                var message = new ChatMessage(ChatRole.Assistant, text ?? string.Empty) { AuthorName = wire.Name };
                foreach (var (call, index) in (wire.ToolCalls ?? []).Select((c, i) => (c, i)))
                {
                    var callPath = $"{path}.tool_calls[{index}]";
                    if (string.IsNullOrEmpty(call.Id) || string.IsNullOrEmpty(call.Function?.Name))
                    {
                        throw BadRequest($"'{callPath}' needs an 'id' and a 'function.name'.", callPath);
                    }

                    message.Contents.Add(new FunctionCallContent(call.Id, call.Function.Name, ParseArguments(call.Function.Arguments, $"{callPath}.function.arguments")));
                }

                return message;
            case "tool":
                if (string.IsNullOrEmpty(wire.ToolCallId))
                {
                    throw BadRequest($"'{path}.tool_call_id' is required for a tool message.", $"{path}.tool_call_id");
                }

                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(wire.ToolCallId, text ?? string.Empty)]);
            default:
                throw BadRequest($"'{path}.role' is '{wire.Role}'; expected system, developer, user, assistant or tool.", $"{path}.role");
        }
    }

    private static string? ReadContent(JsonElement? content, string path)
    {
        if (content is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString();
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw BadRequest($"'{path}' must be a string or an array of content parts.", path);
        }

        var parts = new List<string>();
        var index = 0;
        foreach (var part in element.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
            {
                throw BadRequest($"'{path}[{index}]' is not a text part; only text content is supported.", $"{path}[{index}]");
            }

            parts.Add(partText.GetString()!);
            index++;
        }

        return string.Concat(parts);
    }

    private static Dictionary<string, object?>? ParseArguments(string? arguments, string path)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(arguments);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw BadRequest($"'{path}' must be a JSON object.", path);
            }

            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        }
        catch (JsonException e)
        {
            throw BadRequest($"'{path}' is not valid JSON: {e.Message}", path);
        }
    }

    public static ChatOptions ToOptions(ChatCompletionRequest request, AgentKitServerOptions limits)
    {
        var maxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        if (maxTokens is { } requested && (requested < 1 || requested > limits.MaxOutputTokens))
        {
            throw BadRequest($"'max_tokens' is {requested}; it must be between 1 and the server's limit of {limits.MaxOutputTokens}.", "max_tokens");
        }

        CheckRange(request.Temperature, 0, 2, "temperature");
        CheckRange(request.TopP, 0, 1, "top_p");
        CheckRange(request.FrequencyPenalty, -2, 2, "frequency_penalty");
        CheckRange(request.PresencePenalty, -2, 2, "presence_penalty");

        var options = new ChatOptions
        {
            MaxOutputTokens = maxTokens ?? limits.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            Seed = request.Seed,
            FrequencyPenalty = request.FrequencyPenalty,
            PresencePenalty = request.PresencePenalty,
            StopSequences = ReadStop(request.Stop),
            ResponseFormat = ReadResponseFormat(request.ResponseFormat),
        };

        if (request.Tools is { Count: > 0 } tools)
        {
            options.Tools = tools.Select((t, i) => ToDeclaration(t, $"tools[{i}]")).ToList<AITool>();
        }

        options.ToolMode = ReadToolChoice(request.ToolChoice, options.Tools);
        return options;
    }

    private static void CheckRange(float? value, float min, float max, string name)
    {
        if (value is { } v && (float.IsNaN(v) || v < min || v > max))
        {
            throw BadRequest($"'{name}' is {v}; it must be between {min} and {max}.", name);
        }
    }

    private static List<string>? ReadStop(JsonElement? stop)
    {
        if (stop is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        List<string> values = element.ValueKind switch
        {
            JsonValueKind.String => [element.GetString()!],
            JsonValueKind.Array when element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                element.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => throw BadRequest("'stop' must be a string or an array of strings.", "stop"),
        };

        if (values.Count > MaxStopSequences || values.Any(string.IsNullOrEmpty))
        {
            throw BadRequest($"'stop' takes 1 to {MaxStopSequences} non-empty strings.", "stop");
        }

        return values;
    }

    private static ChatResponseFormatJson? ReadResponseFormat(ResponseFormat? format) => format?.Type switch
    {
        null or "text" => null,
        "json_object" => ChatResponseFormat.Json,
        "json_schema" when format.JsonSchema?.Schema is { ValueKind: JsonValueKind.Object } schema =>
            ChatResponseFormat.ForJsonSchema(schema, format.JsonSchema.Name, format.JsonSchema.Description),
        "json_schema" => throw BadRequest("'response_format.json_schema.schema' must be a JSON Schema object.", "response_format.json_schema.schema"),
        _ => throw BadRequest($"'response_format.type' is '{format.Type}'; expected text, json_object or json_schema.", "response_format.type"),
    };

    private static AIFunctionDeclaration ToDeclaration(WireTool tool, string path)
    {
        if (tool.Type != "function" || string.IsNullOrWhiteSpace(tool.Function?.Name))
        {
            throw BadRequest($"'{path}' must be {{\"type\":\"function\",\"function\":{{\"name\":…}}}}.", path);
        }

        var parameters = tool.Function.Parameters is { ValueKind: JsonValueKind.Object } schema
            ? schema
            : JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;
        return AIFunctionFactory.CreateDeclaration(tool.Function.Name, tool.Function.Description, parameters);
    }

    private static ChatToolMode? ReadToolChoice(JsonElement? choice, IList<AITool>? tools)
    {
        if (choice is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() switch
            {
                "none" => ChatToolMode.None,
                "auto" => ChatToolMode.Auto,
                "required" => ChatToolMode.RequireAny,
                var other => throw BadRequest($"'tool_choice' is '{other}'; expected none, auto, required or a function.", "tool_choice"),
            };
        }

        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("function", out var function)
            && function.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } functionName)
        {
            if (tools?.Any(t => t.Name == functionName) != true)
            {
                throw BadRequest($"'tool_choice' names '{functionName}', which is not in 'tools'.", "tool_choice");
            }

            return ChatToolMode.RequireSpecific(functionName);
        }

        throw BadRequest("'tool_choice' must be a string or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
    }

    /// <summary>One completion with a choice per response (several when <c>n</c> &gt; 1); usage is their sum.</summary>
    public static ChatCompletion ToCompletion(IReadOnlyList<ChatResponse> responses, string id, string model, long created)
    {
        UsageDetails? usage = null;
        foreach (var response in responses)
        {
            if (response.Usage is { } u)
            {
                (usage ??= new UsageDetails()).Add(u);
            }
        }

        return new ChatCompletion
        {
            Id = id,
            Object = "chat.completion",
            Created = created,
            Model = model,
            Choices = [.. responses.Select(ToChoice)],
            Usage = ToUsage(usage),
        };
    }

    private static Choice ToChoice(ChatResponse response, int index)
    {
        var toolCalls = response.Messages.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).Select(c => ToWireCall(c, null)).ToList();
        return new Choice
        {
            Index = index,
            Message = new ResponseMessage { Role = "assistant", Content = toolCalls.Count > 0 && response.Text.Length == 0 ? null : response.Text, ToolCalls = toolCalls.Count > 0 ? toolCalls : null },
            FinishReason = FinishReason(response.FinishReason, toolCalls.Count > 0),
        };
    }

    public static WireToolCall ToWireCall(FunctionCallContent call, int? index) => new()
    {
        Index = index,
        Id = call.CallId,
        Function = new WireFunctionCall { Name = call.Name, Arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions) },
    };

    public static string? FinishReason(ChatFinishReason? reason, bool hasToolCalls)
    {
        if (reason == ChatFinishReason.Length)
        {
            return "length";
        }

        if (reason == ChatFinishReason.ContentFilter)
        {
            return "content_filter";
        }

        return hasToolCalls || reason == ChatFinishReason.ToolCalls ? "tool_calls" : reason is null ? null : "stop";
    }

    public static WireUsage? ToUsage(UsageDetails? usage) => usage is null ? null : new WireUsage
    {
        PromptTokens = usage.InputTokenCount ?? 0,
        CompletionTokens = usage.OutputTokenCount ?? 0,
        TotalTokens = usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0)),
    };

    private static ApiProblemException BadRequest(string message, string param) =>
        new(StatusCodes.Status400BadRequest, "invalid_request", message, param);
}
