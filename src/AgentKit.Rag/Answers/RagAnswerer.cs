using AgentKit.Prompts;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;

namespace AgentKit.Rag.Answers;

/// <summary>
/// Answers questions from the knowledge base: retrieves chunks, renders the prompt file <c>rag/answer</c> with the
/// chunks fenced as data (<see cref="DocumentFence"/>: numbered <c>&lt;document&gt;</c> elements, text escaped so it
/// cannot close the fence) and asks the chat model, which cites passages as <c>[n]</c>. The result carries the
/// text, every numbered citation and the numbers the text actually uses.
/// </summary>
public sealed class RagAnswerer
{
    /// <summary>The default answer prompt's name.</summary>
    public const string DefaultPromptName = "rag/answer";

    private readonly RagRetriever _retriever;
    private readonly IChatClient _chatClient;
    private readonly IPromptRegistry _prompts;
    private readonly RagAnswererOptions _options;

    /// <summary>Creates an answerer.</summary>
    /// <param name="retriever">Finds the chunks.</param>
    /// <param name="chatClient">Writes the answer.</param>
    /// <param name="prompts">Holds the answer prompt; read on every call, so edits apply at once.</param>
    /// <param name="options">Prompt name and retrieval settings; defaults when null.</param>
    public RagAnswerer(RagRetriever retriever, IChatClient chatClient, IPromptRegistry prompts, RagAnswererOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(prompts);
        _retriever = retriever;
        _chatClient = chatClient;
        _prompts = prompts;
        _options = options ?? new RagAnswererOptions();
        _options.Retrieval.Validate();
    }

    /// <summary>Answers a question.</summary>
    /// <param name="question">The question.</param>
    /// <param name="chatOptions">Chat options whose set values win over the prompt's model parameters.</param>
    /// <param name="cancellationToken">Cancels retrieval and generation.</param>
    /// <returns>The answer with its citations.</returns>
    /// <exception cref="PromptException">The answer prompt is missing or does not take the inputs question, documents and count.</exception>
    public async Task<RagAnswer> AnswerAsync(string question, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var prompt = _prompts.Get(_options.PromptName);
        var chunks = await _retriever.RetrieveAsync(question, _options.Retrieval, cancellationToken).ConfigureAwait(false);
        if (chunks.Count == 0)
        {
            return new RagAnswer(question, _options.NothingFoundAnswer, [], []);
        }

        var inputs = new Dictionary<string, object?>
        {
            ["question"] = question,
            ["documents"] = DocumentFence.Render(chunks),
            ["count"] = chunks.Count,
        };
        var response = await _chatClient.GetResponseAsync(prompt, inputs, chatOptions, cancellationToken).ConfigureAwait(false);
        var text = response.Text.Trim();
        var citations = chunks.Select((c, i) => new RagCitation(i + 1, c)).ToList();
        return new RagAnswer(question, text, citations, CitationMarkers.Used(text, citations.Count));
    }
}
