using System.Security.Cryptography;
using System.Text;
using AgentKit.Abstractions.Models;
using AgentKit.Abstractions.Text;
using AgentKit.Graph.Communities;
using AgentKit.Graph.Diagnostics;
using AgentKit.Graph.Summaries;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Graph;

/// <summary>
/// Finds the graph's communities and keeps a model-written report of each in the store, incrementally: a report is
/// keyed by the hash of the input it was written from (the members, their descriptions, the relations among them),
/// so a refresh asks the model only for communities whose membership or facts changed and deletes reports of
/// communities that no longer exist. Detection runs per connected component (a community never spans two), so a
/// change in one part of the graph never reshuffles the communities of another.
/// </summary>
/// <remarks>
/// Refreshes run one at a time. A community the model fails to summarise has no report until the next refresh
/// retries it; the failure is logged and reported.
/// </remarks>
public sealed class CommunitySummarizer : IDisposable
{
    private readonly IGraphStore _store;
    private readonly IChatClient _chat;
    private readonly IPromptRegistry _prompts;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly CommunitySummaryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITokenCounter? _tokens;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>Creates a summarizer.</summary>
    /// <param name="store">The graph, where reports are kept.</param>
    /// <param name="chat">Writes the reports.</param>
    /// <param name="prompts">Holds <see cref="CommunitySummaryOptions.PromptName"/>.</param>
    /// <param name="embedder">Embeds reports for global search's ranking; asked for an <see cref="ITokenCounter"/> for the input budget.</param>
    /// <param name="options">Detection and bounds; defaults when null.</param>
    /// <param name="timeProvider">Stamps reports; the system clock when null.</param>
    /// <param name="logger">Logs refreshes and failures.</param>
    public CommunitySummarizer(
        IGraphStore store,
        IChatClient chat,
        IPromptRegistry prompts,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        CommunitySummaryOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<CommunitySummarizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _chat = chat;
        _prompts = prompts;
        _embedder = embedder;
        _options = options ?? new CommunitySummaryOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _tokens = embedder.GetService(typeof(ITokenCounter)) as ITokenCounter;
    }

    /// <summary>Raised after each refresh with its report.</summary>
    public event EventHandler<CommunityRefreshReport>? Refreshed;

    /// <summary>Brings the community reports up to date with the graph.</summary>
    /// <param name="cancellationToken">Cancels the refresh; reports written by earlier refreshes stay.</param>
    /// <returns>What was summarised, kept and removed.</returns>
    public async Task<CommunityRefreshReport> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var communities = Detect(await _store.GetEdgeWeightsAsync(cancellationToken).ConfigureAwait(false), cancellationToken);
            var stored = (await _store.GetCommunitiesAsync(cancellationToken).ConfigureAwait(false)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var keep = new List<string>();
            var added = new List<GraphCommunity>();
            var failures = new List<string>();
            foreach (var members in communities)
            {
                var (input, evidence) = await InputAsync(members, cancellationToken).ConfigureAwait(false);
                var id = Hash(input);
                if (stored.Contains(id) || added.Any(c => c.Id == id))
                {
                    keep.Add(id);
                    continue;
                }

                try
                {
                    added.Add(await SummarizeAsync(id, members, evidence, input, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is PromptOutputException or ModelException or HttpRequestException)
                {
                    GraphLog.SummaryFailed(_logger, members.Count, e.Message, e);
                    failures.Add($"The community of {members.Count} entities (first id {members[0]}) was not summarised: {e.Message}");
                }
            }

            var removed = await _store.ReplaceCommunitiesAsync(keep, added, cancellationToken).ConfigureAwait(false);
            var report = new CommunityRefreshReport(communities.Count, added.Count, keep.Count, removed, failures);
            GraphLog.CommunitiesRefreshed(_logger, report.Communities, report.Summarized, report.Unchanged, report.Removed, failures.Count);
            Refreshed?.Invoke(this, report);
            return report;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _refresh.Dispose();

    // Each connected component is detected on its own, with its nodes in entity-id order and a fixed seed, so its
    // communities depend on nothing outside it.
    private List<List<long>> Detect(IReadOnlyList<GraphEdgeWeight> edges, CancellationToken cancellationToken)
    {
        var parent = new Dictionary<long, long>();
        foreach (var edge in edges)
        {
            Union(edge.A, edge.B);
        }

        var detection = new CommunityDetectionOptions { Algorithm = _options.Algorithm, Resolution = _options.Resolution };
        var found = new List<List<long>>();
        foreach (var component in edges.GroupBy(e => Find(e.A)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var nodes = component.SelectMany(e => new[] { e.A, e.B }).Distinct().Order().ToArray();
            if (nodes.Length < _options.MinMembers)
            {
                continue;
            }

            var index = nodes.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
            var graph = new WeightedGraph(nodes.Length);
            foreach (var edge in component)
            {
                graph.AddEdge(index[edge.A], index[edge.B], edge.Relations);
            }

            var level = CommunityDetector.Detect(graph, detection, cancellationToken).Levels[0];
            for (var community = 0; community < level.CommunityCount; community++)
            {
                var members = level.Members(community);
                if (members.Length >= _options.MinMembers)
                {
                    var ids = new List<long>(members.Length);
                    foreach (var member in members)
                    {
                        ids.Add(nodes[member]);
                    }

                    found.Add(ids);
                }
            }
        }

        return [.. found.OrderByDescending(c => c.Count).ThenBy(c => c[0]).Take(_options.MaxCommunities)];

        long Find(long x)
        {
            while (parent.TryGetValue(x, out var p) && p != x)
            {
                var grand = parent.GetValueOrDefault(p, p);
                parent[x] = grand;
                x = grand;
            }

            return x;
        }

        void Union(long a, long b)
        {
            var (ra, rb) = (Find(a), Find(b));
            if (ra != rb)
            {
                parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
            }
        }
    }

    // The report's input, in an order that depends only on content (not on row ids, which change when a chunk is
    // re-extracted with the same facts), so an unchanged community hashes the same.
    private async Task<(string Input, List<string> Evidence)> InputAsync(List<long> members, CancellationToken cancellationToken)
    {
        var entities = (await _store.GetEntitiesAsync(members, cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.Id);
        var relations = await _store.GetRelationsWithinAsync(members, _options.MaxRelationsPerCommunity, cancellationToken).ConfigureAwait(false);
        var degree = relations.SelectMany(r => new[] { r.SourceId, r.TargetId }).CountBy(id => id).ToDictionary(p => p.Key, p => p.Value);
        var text = new TokenBudget(_tokens, _options.MaxInputTokens);
        text.TryAppendLine("Entities:");
        foreach (var entity in entities.Values.OrderByDescending(e => degree.GetValueOrDefault(e.Id)).ThenBy(e => e.NormalizedName, StringComparer.Ordinal))
        {
            if (!text.TryAppendLine($"{entity.Name} ({entity.Type}): {entity.Description}"))
            {
                break;
            }
        }

        text.TryAppendLine("Relations:");
        var evidence = new List<string>();
        var lines = relations
            .Where(r => entities.ContainsKey(r.SourceId) && entities.ContainsKey(r.TargetId))
            .Select(r => (Line: $"{entities[r.SourceId].Name} —{r.Relation}→ {entities[r.TargetId].Name}: {r.Description}", r.EvidenceId))
            .DistinctBy(l => l.Line)
            .OrderBy(l => l.Line, StringComparer.Ordinal);
        foreach (var (line, evidenceId) in lines)
        {
            if (!text.TryAppendLine(line))
            {
                break;
            }

            evidence.Add(evidenceId);
        }

        return (text.Text, [.. evidence.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    private async Task<GraphCommunity> SummarizeAsync(string id, List<long> members, List<string> evidence, string input, CancellationToken cancellationToken)
    {
        var inputs = new Dictionary<string, object?> { ["report"] = input, ["max_words"] = _options.MaxSummaryWords };
        var answer = await _chat.GetStructuredAsync<CommunitySummaryAnswer>(_prompts.Get(_options.PromptName), inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        var title = (answer.Title ?? "").Trim();
        var summary = (answer.Summary ?? "").Trim();
        if (title.Length == 0 || summary.Length == 0)
        {
            throw new PromptOutputException($"The summary of a community of {members.Count} entities has an empty title or summary.");
        }

        var vector = (await _embedder.GenerateAsync([$"{title}\n{summary}"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector;
        return new GraphCommunity(id, title, summary, Math.Clamp(answer.Rating, 0, 10), [.. members.Order()], evidence, VectorMath.Unit(vector.Span), _time.GetUtcNow());
    }

    private string Hash(string input) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{_options.PromptName}\n{_options.MaxSummaryWords}\n{input}")));
}
