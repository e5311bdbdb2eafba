using System.ComponentModel;
using System.Globalization;
using System.Runtime.ExceptionServices;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Abstractions.Models;
using AgentKit.Abstractions.Text;
using AgentKit.Graph.Diagnostics;
using AgentKit.Graph.Summaries;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Graph;

/// <summary>
/// Global search, for questions about a whole collection ("what are the main themes?") that no single passage
/// answers: the community reports most similar to the question are read in batches by the map prompt, which lists
/// rated points citing its reports; the best-rated points, within a token budget, go to the reduce prompt, which
/// writes one answer citing them. The answer cites communities and, through them, the chunks and memories their
/// relations come from. Model calls are bounded by <see cref="GlobalSearchOptions.MaxMapCalls"/> plus one.
/// </summary>
public sealed class GraphGlobalSearch : IGraphGlobalSearch
{
    /// <summary>The tool name of <see cref="AsAIFunction"/>.</summary>
    public const string ToolName = "graph_global_search";

    private readonly IGraphStore _store;
    private readonly IChatClient _chat;
    private readonly IPromptRegistry _prompts;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly GlobalSearchOptions _options;
    private readonly ILogger _logger;
    private readonly ITokenCounter? _tokens;

    /// <summary>Creates a global search.</summary>
    /// <param name="store">The graph with its community reports (<see cref="CommunitySummarizer"/>).</param>
    /// <param name="chat">Runs the map and reduce prompts.</param>
    /// <param name="prompts">Holds the two prompts.</param>
    /// <param name="embedder">The model the reports were embedded with; asked for an <see cref="ITokenCounter"/> for the budgets.</param>
    /// <param name="options">Bounds; defaults when null.</param>
    /// <param name="logger">Logs what was dropped from the model's answers.</param>
    public GraphGlobalSearch(IGraphStore store, IChatClient chat, IPromptRegistry prompts, IEmbeddingGenerator<string, Embedding<float>> embedder, GlobalSearchOptions? options = null, ILogger<GraphGlobalSearch>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _chat = chat;
        _prompts = prompts;
        _embedder = embedder;
        _options = options ?? new GlobalSearchOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _tokens = embedder.GetService(typeof(ITokenCounter)) as ITokenCounter;
    }

    /// <summary>Answers a question about the whole collection from the community reports.</summary>
    /// <param name="question">The question.</param>
    /// <param name="cancellationToken">Cancels the search, including model calls in flight.</param>
    /// <returns>The answer with its points and citations; not answered when there are no reports or none helps.</returns>
    /// <exception cref="PromptOutputException">Every map answer, or the reduce answer, did not fit its prompt's schema, twice (a failed map among others is logged and skipped).</exception>
    /// <exception cref="ModelException">Every map call, or the reduce call, failed.</exception>
    public async Task<GraphGlobalAnswer> SearchAsync(string question, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var communities = await _store.GetCommunitiesAsync(cancellationToken).ConfigureAwait(false);
        if (communities.Count == 0)
        {
            return new GraphGlobalAnswer("The knowledge graph has no community summaries yet, so there is nothing to answer a question about the whole collection from.", false, [], [], 0);
        }

        var query = VectorMath.Unit((await _embedder.GenerateAsync([question], EmbeddingInputKind.ForQueries(), cancellationToken).ConfigureAwait(false))[0].Vector.Span);
        var ranked = communities
            .Select(c => (Community: c, Similarity: c.Embedding.Length == query.Length ? VectorMath.Dot(query, c.Embedding.Span) : 0))
            .OrderByDescending(p => p.Similarity).ThenByDescending(p => p.Community.Rating).ThenBy(p => p.Community.Id, StringComparer.Ordinal)
            .Take(_options.MaxCommunities)
            .ToList();

        var batches = Batch(ranked.Select(r => r.Community).ToList());
        using var gate = new SemaphoreSlim(_options.MaxParallelMaps);
        var failures = new List<Exception>();
        var maps = await Task.WhenAll(batches.Select(async batch =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await MapAsync(question, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PromptOutputException or ModelException)
            {
                // One batch the model could not map leaves the others' points; only a search with none fails.
                GraphLog.MapFailed(_logger, batch.Count, e.Message, e);
                lock (failures)
                {
                    failures.Add(e);
                }

                return [];
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        if (failures.Count == batches.Count)
        {
            ExceptionDispatchInfo.Throw(failures[0]);
        }

        var points = maps.SelectMany(p => p)
            .Where(p => p.Rating >= _options.MinPointRating)
            .OrderByDescending(p => p.Rating).ThenBy(p => p.Text, StringComparer.Ordinal)
            .ToList();
        var kept = new List<(string Text, int Rating, IReadOnlyList<GraphCommunity> Sources)>();
        var used = 0;
        foreach (var point in points)
        {
            var cost = Tokens(point.Text) + 8;
            if (used + cost > _options.MaxReduceTokens)
            {
                break;
            }

            used += cost;
            kept.Add(point);
        }

        if (kept.Count == 0)
        {
            return new GraphGlobalAnswer("None of the community summaries helps answer the question.", false, [], [], batches.Count);
        }

        var text = string.Join('\n', kept.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"[{i + 1}] (rating {p.Rating}) {p.Text}")));
        var inputs = new Dictionary<string, object?> { ["question"] = question, ["points"] = text };
        var reduced = await _chat.GetStructuredAsync<ReduceAnswer>(_prompts.Get(_options.ReducePromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var cited = (reduced.Cited ?? []).Where(n => n >= 1 && n <= kept.Count).Distinct().ToList();

        // An answer that cites nothing still rests on the points it was given: cite those.
        var sources = (cited.Count > 0 ? cited.Select(n => kept[n - 1]) : kept).SelectMany(p => p.Sources).DistinctBy(c => c.Id).ToList();
        var similarity = ranked.ToDictionary(r => r.Community.Id, r => r.Similarity, StringComparer.Ordinal);
        return new GraphGlobalAnswer(
            (reduced.Answer ?? "").Trim(),
            true,
            [.. sources.Select(c => new GraphCommunityCitation(c.Id, c.Title, similarity[c.Id], c.Evidence))],
            [.. sources.SelectMany(c => c.Evidence).Distinct(StringComparer.Ordinal)],
            batches.Count + 1)
        {
            Points = [.. kept.Select((p, i) => new GraphGlobalPoint(i + 1, p.Text, p.Rating, [.. p.Sources.Select(c => c.Id)]))],
        };
    }

    /// <summary>
    /// The search as a tool (<c>graph_global_search</c>) for agents: it takes the question and returns the answer with
    /// the titles of the communities it rests on.
    /// </summary>
    /// <returns>The tool.</returns>
    public AIFunction AsAIFunction() => AIFunctionFactory.Create(
        [Description("Answers a question about the whole knowledge collection (main themes, overall trends, what the documents cover) from summaries of its topic communities. Use it for broad questions; use document search for specific facts.")]
        async ([Description("The question about the whole collection.")] string question, CancellationToken cancellationToken) =>
        {
            var answer = await SearchAsync(question, cancellationToken).ConfigureAwait(false);
            return new { answer = answer.Answer, answered = answer.Answered, communities = answer.Communities.Select(c => c.Title).ToList() };
        },
        new AIFunctionFactoryOptions { Name = ToolName });

    private List<List<GraphCommunity>> Batch(List<GraphCommunity> communities)
    {
        var batches = new List<List<GraphCommunity>>();
        var current = new List<GraphCommunity>();
        var used = 0;
        foreach (var community in communities)
        {
            var cost = Tokens(Report(0, community));
            if (current.Count > 0 && used + cost > _options.MaxMapTokens)
            {
                batches.Add(current);
                if (batches.Count == _options.MaxMapCalls)
                {
                    return batches;
                }

                current = [];
                used = 0;
            }

            // A report longer than a whole batch is still read, alone: its summary was bounded when it was written.
            current.Add(community);
            used += cost;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    private async Task<List<(string Text, int Rating, IReadOnlyList<GraphCommunity> Sources)>> MapAsync(string question, List<GraphCommunity> batch, CancellationToken cancellationToken)
    {
        var reports = string.Join("\n\n", batch.Select((c, i) => Report(i + 1, c)));
        var inputs = new Dictionary<string, object?> { ["question"] = question, ["reports"] = reports, ["max_points"] = _options.MaxPointsPerMap };
        var answer = await _chat.GetStructuredAsync<MapAnswer>(_prompts.Get(_options.MapPromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var points = new List<(string, int, IReadOnlyList<GraphCommunity>)>();
        foreach (var point in (answer.Points ?? []).Take(_options.MaxPointsPerMap))
        {
            var text = (point?.Text ?? "").Trim();
            var sources = (point?.Reports ?? []).Where(n => n >= 1 && n <= batch.Count).Distinct().Select(n => batch[n - 1]).ToList();
            if (text.Length == 0 || sources.Count == 0)
            {
                GraphLog.MapDropped(_logger, text.Length == 0 ? "a point with no text" : $"point '{text}' cites no report of its batch");
                continue;
            }

            points.Add((text, Math.Clamp(point!.Rating, 0, 100), sources));
        }

        return points;
    }

    private static string Report(int number, GraphCommunity community) =>
        string.Create(CultureInfo.InvariantCulture, $"[{number}] {community.Title} (importance {community.Rating}/10): {community.Summary}");

    private int Tokens(string text) => TokenBudget.Count(_tokens, text);
}
