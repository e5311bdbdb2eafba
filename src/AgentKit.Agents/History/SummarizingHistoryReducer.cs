using AgentKit.Abstractions.Tools;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.History;

/// <summary>
/// An <see cref="IChatReducer"/> that, once a history is estimated to exceed the context budget, replaces its older
/// part with a summary the model writes from the prompt file <c>agents/summarize-history</c> (inputs
/// <c>messages</c>, a list of <c>{ role, text }</c>, and <c>previous_summary</c>), keeping the most recent messages
/// verbatim. Agents with <see cref="AgentDefinition.ContextTokenBudget"/> use it before each run.
/// </summary>
public sealed class SummarizingHistoryReducer : IChatReducer
{
    /// <summary>The prompt that writes the summary.</summary>
    public const string PromptName = "agents/summarize-history";

    /// <summary>The line that starts a summary message, so a later reduction folds it into the next summary.</summary>
    public const string SummaryHeader = "[Summary of the earlier conversation]";

    // A rough, model-independent estimate (about four characters per token in English text and JSON).
    private const int CharactersPerToken = 4;

    private readonly IChatClient _chatClient;
    private readonly IPromptRegistry _prompts;
    private readonly int _tokenBudget;
    private readonly int _keepLastMessages;

    /// <summary>Creates the reducer.</summary>
    /// <param name="chatClient">Writes the summary (without tools).</param>
    /// <param name="prompts">Holds <see cref="PromptName"/>.</param>
    /// <param name="tokenBudget">Estimated tokens (characters / 4) above which the history is reduced.</param>
    /// <param name="keepLastMessages">How many recent messages stay verbatim (more when needed to keep a tool call with its result). Defaults to 6.</param>
    public SummarizingHistoryReducer(IChatClient chatClient, IPromptRegistry prompts, int tokenBudget, int keepLastMessages = 6)
    {
        _chatClient = chatClient ?? throw new ArgumentNullException(nameof(chatClient));
        _prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        _tokenBudget = tokenBudget > 0 ? tokenBudget : throw new ArgumentOutOfRangeException(nameof(tokenBudget), tokenBudget, "The context budget must be positive.");
        _keepLastMessages = keepLastMessages >= 1 ? keepLastMessages : throw new ArgumentOutOfRangeException(nameof(keepLastMessages), keepLastMessages, "Keep at least one message.");
    }

    /// <inheritdoc />
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        if (EstimateTokens(list) <= _tokenBudget)
        {
            return list;
        }

        var split = Math.Max(0, list.Count - _keepLastMessages);

        // The kept part must not start inside a tool exchange: a result needs the call before it.
        while (split > 0 && list[split].Contents.Any(c => c is FunctionResultContent))
        {
            split--;
        }

        var first = 0;
        string? previousSummary = null;
        if (list.Count > 0 && list[0].Text.StartsWith(SummaryHeader, StringComparison.Ordinal))
        {
            previousSummary = list[0].Text[SummaryHeader.Length..].Trim();
            first = 1;
        }

        if (split <= first)
        {
            return list;
        }

        var older = list.Skip(first).Take(split - first)
            .Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role.Value, ["text"] = Describe(m) })
            .ToList();
        var inputs = new Dictionary<string, object?> { ["messages"] = older };
        if (previousSummary is not null)
        {
            inputs["previous_summary"] = previousSummary;
        }

        var template = _prompts.Get(PromptName);
        var response = await _chatClient.GetResponseAsync(template.Render(inputs), template.CreateChatOptions(), cancellationToken).ConfigureAwait(false);
        var summary = new ChatMessage(ChatRole.User, $"{SummaryHeader}\n{response.Text.Trim()}");
        return [summary, .. list.Skip(split)];
    }

    /// <summary>The estimate the budget is compared with: characters of text, tool calls and results, divided by four.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>Estimated tokens.</returns>
    public static long EstimateTokens(IEnumerable<ChatMessage> messages) =>
        (messages ?? throw new ArgumentNullException(nameof(messages))).Sum(m => (long)Describe(m).Length) / CharactersPerToken;

    private static string Describe(ChatMessage message) => string.Join("\n", message.Contents.Select(c => c switch
    {
        TextContent t => t.Text,
        FunctionCallContent call => $"(called {call.Name} with {ToolResultFormatter.ToText(call.Arguments)})",
        FunctionResultContent result => $"(tool result: {ToolResultFormatter.ToText(result.Result)})",
        _ => string.Empty,
    }).Where(s => s.Length > 0));
}
