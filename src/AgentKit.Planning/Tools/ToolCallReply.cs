using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentKit.Planning;

/// <summary>A tool call as the model writes it in a structured answer: <c>{"tool": "...", "arguments": {...}}</c>.</summary>
internal sealed record ToolCallReply(
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("arguments")] JsonElement Arguments);
