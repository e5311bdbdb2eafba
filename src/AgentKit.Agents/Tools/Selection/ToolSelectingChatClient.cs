using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools.Selection;

/// <summary>
/// Sits under function invocation, above the model: each model call is shown only the selected tools — the always-on
/// ones, the <see cref="ToolSelectionOptions.TopK"/> most relevant to the recent turns, those <c>find_tools</c> found
/// earlier in this turn, and <c>find_tools</c> itself. Function invocation above still holds the agent's full tool
/// list, so the allowlist is unchanged and a found tool is callable at once.
/// </summary>
internal sealed class ToolSelectingChatClient(IChatClient inner, ToolSelector selector, ToolSelectionOptions options) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        return await base.GetResponseAsync(list, await SelectAsync(list, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var selected = await SelectAsync(list, options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(list, selected, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>The recent user and assistant text, the latest first (the embedding model reads the start of a long text).</summary>
    internal static string RecentText(IReadOnlyList<ChatMessage> messages, int count)
    {
        var text = new StringBuilder();
        for (var i = messages.Count - 1; i >= 0 && count > 0; i--)
        {
            var message = messages[i];
            if ((message.Role == ChatRole.User || message.Role == ChatRole.Assistant) && message.Text is { Length: > 0 } content)
            {
                text.Append(content).Append('\n');
                count--;
            }
        }

        return text.ToString();
    }

    /// <summary>The queries of the <c>find_tools</c> calls since the latest user message.</summary>
    internal static IEnumerable<string> FindQueriesThisTurn(IReadOnlyList<ChatMessage> messages)
    {
        var start = messages.Count;
        while (start > 0 && !(messages[start - 1].Role == ChatRole.User && messages[start - 1].Text.Length > 0))
        {
            start--;
        }

        for (var i = start; i < messages.Count; i++)
        {
            foreach (var content in messages[i].Contents)
            {
                if (content is FunctionCallContent { Name: ToolSelectionOptions.FindToolsName } call
                    && call.Arguments?.TryGetValue(FindToolsFunction.QueryParameter, out var query) == true
                    && query?.ToString() is { Length: > 0 } text)
                {
                    yield return text;
                }
            }
        }
    }

    private async Task<ChatOptions?> SelectAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? chatOptions, CancellationToken cancellationToken)
    {
        if (chatOptions?.Tools is not { Count: > 0 } tools)
        {
            return chatOptions;
        }

        var alwaysOn = options.AlwaysOn.ToHashSet(StringComparer.Ordinal);
        var candidates = tools.OfType<AIFunctionDeclaration>()
            .Where(t => t.Name != ToolSelectionOptions.FindToolsName && !alwaysOn.Contains(t.Name))
            .ToList();
        if (candidates.Count <= options.TopK)
        {
            return chatOptions;
        }

        var shown = new HashSet<string>(alwaysOn, StringComparer.Ordinal) { ToolSelectionOptions.FindToolsName };
        foreach (var match in await selector.RankAsync(candidates, RecentText(messages, options.RecentMessages), options.TopK, options.KeywordWeight, cancellationToken).ConfigureAwait(false))
        {
            shown.Add(match.Tool.Name);
        }

        foreach (var query in FindQueriesThisTurn(messages).Distinct(StringComparer.Ordinal))
        {
            foreach (var match in await FindToolsFunction.FindAsync(selector, candidates, query, options, cancellationToken).ConfigureAwait(false))
            {
                shown.Add(match.Tool.Name);
            }
        }

        var selected = chatOptions.Clone();
        selected.Tools = [.. tools.Where(t => shown.Contains(t.Name))];
        return selected;
    }
}
