using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Retrieval;

/// <summary>
/// Re-ranks candidates by asking a chat model with the prompt file <c>rag/rerank</c>: the candidates go in as a
/// <see cref="DocumentFence"/> block, the answer is JSON (<c>{"scores":[{"id":1,"score":7.5},…]}</c>, validated
/// against the prompt's <c>outputs</c> schema, with one corrective retry). A candidate the model leaves out scores
/// −1, so it sinks below every scored one and keeps its first-stage order among the unscored.
/// </summary>
public sealed class PromptReranker : IRagReranker
{
    /// <summary>The prompt's name in the registry.</summary>
    public const string PromptName = "rag/rerank";

    private readonly IChatClient _chatClient;
    private readonly IPromptRegistry _prompts;

    /// <summary>Creates the re-ranker.</summary>
    /// <param name="chatClient">The model that scores.</param>
    /// <param name="prompts">The registry holding <see cref="PromptName"/>; read on every call, so edits apply at once.</param>
    public PromptReranker(IChatClient chatClient, IPromptRegistry prompts)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(prompts);
        _chatClient = chatClient;
        _prompts = prompts;
    }

    /// <inheritdoc />
    /// <exception cref="PromptOutputException">The model's answer is not valid JSON for the schema, even after the retry.</exception>
    public async Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            return [];
        }

        var inputs = new Dictionary<string, object?>
        {
            ["query"] = query,
            ["documents"] = DocumentFence.Render(candidates),
            ["count"] = candidates.Count,
        };
        var answer = await _chatClient.GetStructuredAsync(_prompts.Get(PromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var scores = Enumerable.Repeat(-1.0, candidates.Count).ToArray();
        foreach (var entry in answer.GetProperty("scores").EnumerateArray())
        {
            var id = entry.GetProperty("id").GetInt32();
            if (id >= 1 && id <= candidates.Count)
            {
                scores[id - 1] = Math.Clamp(entry.GetProperty("score").GetDouble(), 0, 10);
            }
        }

        return scores;
    }
}
