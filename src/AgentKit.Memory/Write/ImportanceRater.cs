using AgentKit.Memory.Storage;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Memory.Write;

/// <summary>Asks the model how important a memory is, through <c>memory/importance</c>.</summary>
internal sealed class ImportanceRater(IChatClient chat, IPromptRegistry prompts)
{
    public const string PromptName = "memory/importance";

    public async Task<int> RateAsync(string text, MemoryKind kind, string agentId, CancellationToken cancellationToken)
    {
        var inputs = new Dictionary<string, object?> { ["memory"] = text, ["kind"] = MemoryEntity.KindName(kind), ["agent"] = agentId };
        var answer = await chat.GetStructuredAsync<ImportanceAnswer>(prompts.Get(PromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        return answer.Importance;
    }
}
