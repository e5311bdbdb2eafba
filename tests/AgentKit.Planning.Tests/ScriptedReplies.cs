using Microsoft.Extensions.AI;

namespace AgentKit.Planning.Tests;

/// <summary>Helpers for ScriptedChatClient answers: which planning prompt a call rendered, and replies with usage.</summary>
internal static class ScriptedReplies
{
    public static ChatResponse Text(string text, int tokens = 10) => new(new ChatMessage(ChatRole.Assistant, text))
    {
        Usage = new UsageDetails { InputTokenCount = tokens / 2, OutputTokenCount = tokens - (tokens / 2), TotalTokenCount = tokens },
    };

    /// <summary>Whether the call's system message opens with <paramref name="start"/> (each planning prompt's system text starts differently).</summary>
    public static bool Is(IReadOnlyList<ChatMessage> messages, string start) =>
        messages.Count > 0 && messages[0].Role == ChatRole.System && messages[0].Text.StartsWith(start, StringComparison.Ordinal);

    public const string Cot = "You solve problems by reasoning";
    public const string Verify = "You check solutions";
    public const string Critic = "You are a demanding critic";
    public const string Revise = "You solve problems carefully and correct";
    public const string Debate = "You are one of several agents";
    public const string Judge = "You judge a debate";
    public const string Decompose = "You break problems";
    public const string Solve = "You answer one sub-question";
    public const string Pal = "You answer questions by writing";
}
