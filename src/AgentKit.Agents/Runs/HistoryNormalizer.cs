using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Runs;

/// <summary>
/// Makes a run's messages safe to store and resend: approval requests become the tool calls they asked about,
/// approval responses are dropped (their outcome is in the tool results), a call repeated by the approval round
/// trip is kept once, and calls that never got a result (the run ended between call and result) are removed.
/// </summary>
internal static class HistoryNormalizer
{
    /// <summary>The history as a model gets it: without the <see cref="ErrorContent"/> notes a run that did not complete stores for clients.</summary>
    public static IReadOnlyList<ChatMessage> WithoutRunErrors(IReadOnlyList<ChatMessage> messages)
    {
        if (!messages.Any(m => m.Contents.Any(c => c is ErrorContent)))
        {
            return messages;
        }

        var kept = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (!message.Contents.Any(c => c is ErrorContent))
            {
                kept.Add(message);
                continue;
            }

            var copy = message.Clone();
            copy.Contents = [.. message.Contents.Where(c => c is not ErrorContent)];
            if (copy.Contents.Count > 0)
            {
                kept.Add(copy);
            }
        }

        return kept;
    }

    public static List<ChatMessage> Normalize(IEnumerable<ChatMessage> messages)
    {
        var list = messages.ToList();
        var answered = list.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        var seenCalls = new HashSet<string>(StringComparer.Ordinal);
        var normalized = new List<ChatMessage>(list.Count);
        foreach (var message in list)
        {
            var contents = new List<AIContent>(message.Contents.Count);
            var changed = false;
            foreach (var content in message.Contents)
            {
                var mapped = content switch
                {
                    ToolApprovalRequestContent { ToolCall: FunctionCallContent call } => call,
                    ToolApprovalResponseContent => null,
                    _ => content,
                };
                if (mapped is FunctionCallContent fcc && (!answered.Contains(fcc.CallId) || !seenCalls.Add(fcc.CallId)))
                {
                    mapped = null;
                }

                changed |= !ReferenceEquals(mapped, content);
                if (mapped is not null)
                {
                    contents.Add(mapped);
                }
            }

            if (!changed)
            {
                normalized.Add(message);
            }
            else if (contents.Count > 0)
            {
                var copy = message.Clone();
                copy.Contents = contents;
                normalized.Add(copy);
            }
        }

        return normalized;
    }
}
