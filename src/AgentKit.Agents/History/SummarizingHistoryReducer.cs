using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.History;

/// <summary>
/// An <see cref="IChatReducer"/> that, once a history is estimated to exceed the context budget, replaces its older
/// part with a summary written by the model from the prompt file <c>agents/summarize-history</c> (input
/// <c>messages</c>: a list of <c>{ role, text }</c>), keeping the most recent messages verbatim.
/// </summary>
internal sealed class SummarizingHistoryReducer(IChatClient chatClient, IPromptRegistry prompts, int tokenBudget, int keepLastMessages = 6) : IChatReducer
{
    public const string PromptName = "agents/summarize-history";

    /// <summary>The marker that starts a summary message, so a later reduction can tell it apart.</summary>
    public const string SummaryHeader = "[Summary of the earlier conversation]";

    // A rough, model-independent estimate (about four characters per token in English text and JSON).
    private const int CharactersPerToken = 4;

    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        if (EstimateTokens(list) <= tokenBudget)
        {
            return list;
        }

        var split = Math.Max(0, list.Count - keepLastMessages);

        // The kept part must not start inside a tool exchange: a result needs the call before it.
        while (split > 0 && (list[split].Role == ChatRole.Tool || list[split].Contents.Any(c => c is FunctionResultContent)))
        {
            split--;
        }

        if (split == 0)
        {
            return list;
        }

        var older = list.Take(split)
            .Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role.Value, ["text"] = Describe(m) })
            .ToList();
        var template = prompts.Get(PromptName);
        var rendered = template.Render(new Dictionary<string, object?> { ["messages"] = older });
        var response = await chatClient.GetResponseAsync(rendered, template.CreateChatOptions(), cancellationToken).ConfigureAwait(false);
        var summary = new ChatMessage(ChatRole.User, $"{SummaryHeader}\n{response.Text.Trim()}");
        return [summary, .. list.Skip(split)];
    }

    internal static long EstimateTokens(IEnumerable<ChatMessage> messages) =>
        messages.Sum(m => (long)Describe(m).Length) / CharactersPerToken;

    private static string Describe(ChatMessage message) => string.Join("\n", message.Contents.Select(c => c switch
    {
        TextContent t => t.Text,
        FunctionCallContent call => $"(called {call.Name} with {Tools.ToolResultFormatter.ToText(call.Arguments)})",
        FunctionResultContent result => $"(tool result: {Tools.ToolResultFormatter.ToText(result.Result)})",
        _ => string.Empty,
    }).Where(s => s.Length > 0));
}
