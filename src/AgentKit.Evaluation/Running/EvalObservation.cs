using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentKit.Evaluation.Running;

/// <summary>A tool call the model made during a case.</summary>
/// <param name="Name">The tool, as the model named it.</param>
/// <param name="Arguments">Its arguments as a JSON object.</param>
public sealed record EvalToolCall(string Name, JsonElement Arguments);

/// <summary>What a case's run produced: what expectations are checked against.</summary>
public sealed record EvalObservation
{
    /// <summary>The last reply's text.</summary>
    public required string Text { get; init; }

    /// <summary>Every message of the conversation, the users' included, in order.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Every tool call the model made, in order, across turns.</summary>
    public required IReadOnlyList<EvalToolCall> ToolCalls { get; init; }

    /// <summary>The last user message, for judges.</summary>
    public string? LastUserMessage { get; init; }

    /// <summary>The tool results' texts, in order: the default grounding context for groundedness.</summary>
    public IReadOnlyList<string> ToolResults { get; init; } = [];

    /// <summary>Builds an observation from a conversation.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="text">The last reply's text.</param>
    /// <returns>The observation.</returns>
    public static EvalObservation FromMessages(IReadOnlyList<ChatMessage> messages, string text)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var calls = new List<EvalToolCall>();
        var results = new List<string>();
        foreach (var content in messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case FunctionCallContent call:
                    calls.Add(new EvalToolCall(call.Name, JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions)));
                    break;
                case FunctionResultContent result:
                    results.Add(result.Result is JsonElement json ? json.ToString() : result.Result?.ToString() ?? string.Empty);
                    break;
            }
        }

        return new EvalObservation
        {
            Text = text,
            Messages = messages,
            ToolCalls = calls,
            ToolResults = results,
            LastUserMessage = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text,
        };
    }
}
