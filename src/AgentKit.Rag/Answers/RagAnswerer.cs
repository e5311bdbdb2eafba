using System.Globalization;
using System.Text;
using AgentKit.Abstractions.Evidence;
using AgentKit.Abstractions.Graph;
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
/// <remarks>
/// Passages that disagree (<see cref="EvidenceConflictDetector"/>: different values, or opposite polarity, for what
/// reads as the same thing) are never left to the model to notice: the conflicts go to the prompt when it declares a
/// <c>conflicts</c> input, to <see cref="RagAnswer.Conflicts"/>, and when the answer does not cite both sides of one,
/// a note naming both passages, their dates and the preferred (newer) one is appended to it.
/// <para>
/// In <see cref="RagAnswerMode.Global"/> a question about the whole corpus goes to the knowledge graph's global search
/// (<see cref="IGraphGlobalSearch"/>: map/reduce over community summaries) instead of retrieval; the answer's point
/// markers are renumbered to the chunks the cited communities' relations were extracted from, which become its
/// citations.
/// </para>
/// </remarks>
public sealed class RagAnswerer
{
    /// <summary>The default answer prompt's name.</summary>
    public const string DefaultPromptName = "rag/answer";

    private readonly RagRetriever _retriever;
    private readonly IChatClient _chatClient;
    private readonly IPromptRegistry _prompts;
    private readonly RagAnswererOptions _options;
    private readonly EvidenceConflictDetector? _conflicts;
    private readonly IGraphGlobalSearch? _globalSearch;

    /// <summary>Creates an answerer.</summary>
    /// <param name="retriever">Finds the chunks.</param>
    /// <param name="chatClient">Writes the answer.</param>
    /// <param name="prompts">Holds the answer prompt; read on every call, so edits apply at once.</param>
    /// <param name="options">Mode, prompt name and retrieval settings; defaults when null.</param>
    /// <param name="globalSearch">The knowledge graph's global search, for <see cref="RagAnswerMode.Global"/>; required in that mode.</param>
    /// <exception cref="ArgumentException">The mode is global and there is no global search, or a setting is out of range.</exception>
    public RagAnswerer(RagRetriever retriever, IChatClient chatClient, IPromptRegistry prompts, RagAnswererOptions? options = null, IGraphGlobalSearch? globalSearch = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(prompts);
        _retriever = retriever;
        _chatClient = chatClient;
        _prompts = prompts;
        _options = options ?? new RagAnswererOptions();
        _options.Retrieval.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxGlobalCitations, 1, "RagAnswererOptions.MaxGlobalCitations");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxGlobalCitations, 100, "RagAnswererOptions.MaxGlobalCitations");
        if (_options.Mode == RagAnswerMode.Global && globalSearch is null)
        {
            throw new ArgumentException("RagAnswererOptions.Mode is Global, which answers from the knowledge graph's community summaries, but no IGraphGlobalSearch was given: configure the graph (AgentKit:Graph) or use the Passages mode.", nameof(globalSearch));
        }

        _conflicts = _options.Conflicts is { } conflicts ? new EvidenceConflictDetector(conflicts) : null;
        _globalSearch = globalSearch;
    }

    /// <summary>Answers a question.</summary>
    /// <param name="question">The question.</param>
    /// <param name="chatOptions">Chat options whose set values win over the prompt's model parameters.</param>
    /// <param name="cancellationToken">Cancels retrieval and generation.</param>
    /// <returns>The answer with its citations.</returns>
    /// <exception cref="PromptException">The answer prompt is missing or does not take the inputs question, documents and count.</exception>
    public async Task<RagAnswer> AnswerAsync(string question, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        if (_options.Mode == RagAnswerMode.Global)
        {
            return await AnswerGloballyAsync(question, cancellationToken).ConfigureAwait(false);
        }

        var request = await PrepareAsync(question, cancellationToken).ConfigureAwait(false);
        if (request.Nothing is { } nothing)
        {
            return nothing;
        }

        var response = await _chatClient.GetResponseAsync(request.Prompt, request.Inputs, chatOptions, cancellationToken).ConfigureAwait(false);
        return Finish(request, response.Text);
    }

    /// <summary>
    /// Answers a question, streaming the model's text as it is written: text updates, then one last update with the
    /// finished <see cref="RagAnswer"/> (its citations, and a conflict note when the text passed over one, whose text
    /// comes as the final update's <see cref="RagAnswerUpdate.Text"/>). In <see cref="RagAnswerMode.Global"/>, whose
    /// reduce step answers in structured output, the answer comes whole in one update.
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="chatOptions">Chat options whose set values win over the prompt's model parameters.</param>
    /// <param name="cancellationToken">Cancels retrieval and generation.</param>
    /// <returns>The updates.</returns>
    /// <exception cref="PromptException">The answer prompt is missing or does not take the inputs question, documents and count.</exception>
    public async IAsyncEnumerable<RagAnswerUpdate> AnswerStreamingAsync(
        string question, ChatOptions? chatOptions = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_options.Mode == RagAnswerMode.Global)
        {
            var global = await AnswerGloballyAsync(question, cancellationToken).ConfigureAwait(false);
            yield return new RagAnswerUpdate(global.Text, global);
            yield break;
        }

        var request = await PrepareAsync(question, cancellationToken).ConfigureAwait(false);
        if (request.Nothing is { } nothing)
        {
            yield return new RagAnswerUpdate(nothing.Text, nothing);
            yield break;
        }

        var text = new StringBuilder();
        await foreach (var update in _chatClient.GetStreamingResponseAsync(request.Prompt, request.Inputs, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            if (update.Text is { Length: > 0 } delta)
            {
                text.Append(delta);
                yield return new RagAnswerUpdate(delta, null);
            }
        }

        var streamed = text.ToString().Trim();
        var answer = Finish(request, streamed);
        yield return new RagAnswerUpdate(answer.Text.Length > streamed.Length ? answer.Text[streamed.Length..] : string.Empty, answer);
    }

    private async Task<RagAnswer> AnswerGloballyAsync(string question, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var global = await _globalSearch!.SearchAsync(question, cancellationToken).ConfigureAwait(false);
        if (!global.Answered)
        {
            return new RagAnswer(question, global.Answer, [], []) { Mode = RagAnswerMode.Global, Communities = global.Communities };
        }

        var chunks = await _retriever.GetChunksAsync(global.Evidence, cancellationToken).ConfigureAwait(false);
        var citations = chunks.Take(_options.MaxGlobalCitations).Select((c, i) => new RagCitation(i + 1, c)).ToList();
        var numbers = citations.ToDictionary(c => c.Chunk.Id, c => c.Number);
        var evidence = global.Communities.ToDictionary(c => c.Id, c => c.Evidence, StringComparer.Ordinal);
        var points = global.Points.ToDictionary(p => p.Number);

        // A point's marker becomes the numbers of the chunks behind its communities.
        var text = CitationMarkers.Renumber(global.Answer, n => points.TryGetValue(n, out var point)
            ? point.Communities.SelectMany(c => evidence.GetValueOrDefault(c) ?? [])
                .Select(id => Guid.TryParse(id, out var key) && numbers.TryGetValue(key, out var number) ? number : 0).Where(number => number > 0)
            : []);
        var used = CitationMarkers.Used(text, citations.Count);
        return new RagAnswer(question, text, citations, used) { Mode = RagAnswerMode.Global, Communities = global.Communities };
    }

    private async Task<AnswerRequest> PrepareAsync(string question, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var prompt = _prompts.Get(_options.PromptName);
        var chunks = await _retriever.RetrieveAsync(question, _options.Retrieval, cancellationToken).ConfigureAwait(false);
        if (chunks.Count == 0)
        {
            return new AnswerRequest(question, prompt, new Dictionary<string, object?>(), chunks, [], new RagAnswer(question, _options.NothingFoundAnswer, [], []));
        }

        var conflicts = _conflicts?.Detect([.. chunks.Select((c, i) => new Evidence((i + 1).ToString(CultureInfo.InvariantCulture), c.Text, c.Citation, c.SourceTime))]) ?? [];
        var inputs = new Dictionary<string, object?>
        {
            ["question"] = question,
            ["documents"] = DocumentFence.Render(chunks),
            ["count"] = chunks.Count,
        };
        if (prompt.Inputs.ContainsKey("conflicts"))
        {
            inputs["conflicts"] = string.Join('\n', conflicts.Select(c => "- " + DocumentFence.Escape(c.Describe(), attribute: false)));
        }

        return new AnswerRequest(question, prompt, inputs, chunks, conflicts, null);
    }

    private static RagAnswer Finish(AnswerRequest request, string modelText)
    {
        var text = modelText.Trim();
        var citations = request.Chunks.Select((c, i) => new RagCitation(i + 1, c)).ToList();
        var used = CitationMarkers.Used(text, citations.Count);
        var unstated = request.Conflicts.Where(c => !used.Contains(Number(c.First)) || !used.Contains(Number(c.Second))).ToList();
        if (unstated.Count > 0)
        {
            var note = new StringBuilder(text).Append("\n\nNote: the sources disagree.");
            foreach (var conflict in unstated)
            {
                note.Append(' ').Append(conflict.Describe());
            }

            text = note.ToString();
            used = CitationMarkers.Used(text, citations.Count);
        }

        return new RagAnswer(request.Question, text, citations, used) { Conflicts = request.Conflicts };
    }

    private static int Number(Evidence evidence) => int.Parse(evidence.Id, CultureInfo.InvariantCulture);

    private sealed record AnswerRequest(
        string Question, PromptTemplate Prompt, Dictionary<string, object?> Inputs, IReadOnlyList<RetrievedChunk> Chunks, IReadOnlyList<EvidenceConflict> Conflicts, RagAnswer? Nothing);
}

/// <summary>One piece of a streamed answer (<see cref="RagAnswerer.AnswerStreamingAsync"/>).</summary>
/// <param name="Text">Text to append to what was shown so far; empty when there is none.</param>
/// <param name="Answer">The finished answer, on the last update only.</param>
public sealed record RagAnswerUpdate(string Text, RagAnswer? Answer);
