using System.Globalization;
using AgentKit.Abstractions.Embeddings;
using AgentKit.Abstractions.Graph;
using AgentKit.Abstractions.Text;
using Microsoft.Extensions.AI;

namespace AgentKit.Graph;

/// <summary>
/// Local search: links the question to graph entities (names or aliases that appear in it, and entities whose name
/// embedding is close to the question's), walks their k-hop neighbourhood and returns the facts found, best first,
/// with the chunks and memories that state them. Facts are scored by how close they are to a linked entity
/// (halved per hop) and how many of the question's words they share, so the path the question describes wins over
/// other neighbours; words of the linked names do not count. The text stays within a token budget.
/// </summary>
public sealed class GraphLocalSearch : IGraphContextSource
{
    private const double HopDecay = 0.5;

    // A fact's score is reach × (BaseRelevance + overlap): a two-hop fact that repeats one of the question's words
    // outranks a direct fact that repeats none, so the path the question describes wins over other neighbours.
    private const double BaseRelevance = 0.1;

    // A name found in the question is a sure link (reach 1); a name only close in embedding space ("Alice Okafor" for
    // a question about "Alice Moreau") is a guess, weighted down so its facts do not crowd out the named entity's.
    private const double EmbeddingLinkWeight = 0.5;
    private const int MaxQuestionWords = 200;
    private const int MaxNameWords = 5;
    private readonly IGraphStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly GraphSearchOptions _options;
    private readonly ITokenCounter? _tokens;

    /// <summary>Creates a local search.</summary>
    /// <param name="store">The graph.</param>
    /// <param name="embedder">The model the entity names were embedded with; asked for an <see cref="ITokenCounter"/> for the budget.</param>
    /// <param name="options">Bounds; defaults when null.</param>
    public GraphLocalSearch(IGraphStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, GraphSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _embedder = embedder;
        _options = options ?? new GraphSearchOptions();
        _options.Validate();
        _tokens = embedder.GetService(typeof(ITokenCounter)) as ITokenCounter;
    }

    /// <inheritdoc/>
    public async Task<GraphContext> GetContextAsync(GraphContextQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrWhiteSpace(query.Question, nameof(query));
        var maxEvidence = query.MaxEvidence ?? _options.MaxEvidence;
        var maxTokens = query.MaxTokens ?? _options.MaxTokens;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvidence, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens, nameof(query));

        var words = WordTokenizer.Words(query.Question).Take(MaxQuestionWords).ToList();
        var seeds = await LinkAsync(query.Question, words, cancellationToken).ConfigureAwait(false);
        if (seeds.Count == 0)
        {
            return GraphContext.Empty;
        }

        var entityScore = seeds.ToDictionary(s => s.Key, s => s.Value);
        var facts = new Dictionary<long, (GraphRelation Relation, double Score)>();
        var frontier = seeds.Keys.ToHashSet();
        var names = (await _store.GetEntitiesAsync([.. frontier], cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.Id);

        // The words that say what is asked: the linked names are where the walk starts, not what it looks for.
        var seedWords = names.Values.SelectMany(e => WordTokenizer.Words(e.Name)).ToHashSet(StringComparer.Ordinal);
        var keywords = words.Where(w => w.Length > 3 && !seedWords.Contains(w)).ToHashSet(StringComparer.Ordinal);
        for (var hop = 1; hop <= _options.Hops && frontier.Count > 0 && facts.Count < _options.MaxRelations; hop++)
        {
            var relations = await _store.GetRelationsAsync(frontier, _options.MaxRelations - facts.Count, cancellationToken).ConfigureAwait(false);
            var missing = relations.SelectMany(r => new[] { r.SourceId, r.TargetId }).Where(id => !names.ContainsKey(id)).ToHashSet();
            foreach (var entity in await _store.GetEntitiesAsync(missing, cancellationToken).ConfigureAwait(false))
            {
                names[entity.Id] = entity;
            }

            var next = new HashSet<long>();
            foreach (var relation in relations)
            {
                if (facts.ContainsKey(relation.Id))
                {
                    continue;
                }

                var fromSource = frontier.Contains(relation.SourceId);
                var from = fromSource ? relation.SourceId : relation.TargetId;
                var other = fromSource ? relation.TargetId : relation.SourceId;
                var reach = entityScore[from];
                var score = reach * (BaseRelevance + Overlap(keywords, relation, names.GetValueOrDefault(other)));
                facts[relation.Id] = (relation, score);
                if (!entityScore.ContainsKey(other))
                {
                    next.Add(other);
                }

                entityScore[other] = Math.Max(entityScore.GetValueOrDefault(other), reach * HopDecay);
            }

            frontier = next;
        }

        var evidenceScore = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (relation, score) in facts.Values)
        {
            evidenceScore[relation.EvidenceId] = Math.Max(evidenceScore.GetValueOrDefault(relation.EvidenceId), score);
        }

        foreach (var mention in await _store.GetMentionsAsync([.. seeds.Keys], _options.MaxRelations, cancellationToken).ConfigureAwait(false))
        {
            evidenceScore[mention.EvidenceId] = Math.Max(evidenceScore.GetValueOrDefault(mention.EvidenceId), seeds[mention.EntityId] * BaseRelevance);
        }

        var records = (await _store.GetEvidenceAsync([.. evidenceScore.Keys], cancellationToken).ConfigureAwait(false))
            .Where(r => query.EvidenceKind is null || r.Kind == query.EvidenceKind)
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
        var evidence = records.Values
            .OrderByDescending(r => evidenceScore[r.Id]).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(maxEvidence)
            .Select(r => new GraphEvidence(r.Id, r.Kind, r.Source, evidenceScore[r.Id]))
            .ToList();
        var number = evidence.Select((e, i) => (e.Id, i + 1)).ToDictionary(p => p.Id, p => p.Item2, StringComparer.Ordinal);
        var linked = seeds.OrderByDescending(s => s.Value).Select(s => names.TryGetValue(s.Key, out var e) ? e : null).OfType<GraphEntity>().ToList();
        var text = Render(linked, facts.Values.OrderByDescending(f => f.Score).Select(f => f.Relation), names, number, maxTokens);
        return new GraphContext([.. linked.Select(e => e.Name)], text, evidence);
    }

    private async Task<Dictionary<long, double>> LinkAsync(string question, List<string> words, CancellationToken cancellationToken)
    {
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < words.Count; start++)
        {
            for (var length = 1; length <= MaxNameWords && start + length <= words.Count; length++)
            {
                candidates.Add(string.Join(' ', words.Skip(start).Take(length)));
            }
        }

        var seeds = new Dictionary<long, double>();
        foreach (var entity in await _store.FindEntitiesAsync(candidates, cancellationToken).ConfigureAwait(false))
        {
            seeds[entity.Id] = 1;
        }

        if (_options.LinkThreshold < 1)
        {
            var vector = (await _embedder.GenerateAsync([question], EmbeddingInputKind.ForQueries(), cancellationToken).ConfigureAwait(false))[0].Vector;
            foreach (var (entity, similarity) in await _store.NearestEntitiesAsync(vector, _options.MaxSeeds, _options.LinkThreshold, cancellationToken).ConfigureAwait(false))
            {
                seeds[entity.Id] = Math.Max(seeds.GetValueOrDefault(entity.Id), similarity * EmbeddingLinkWeight);
            }
        }

        return seeds.OrderByDescending(s => s.Value).Take(_options.MaxSeeds).ToDictionary(s => s.Key, s => s.Value);
    }

    // The share of the question's longer words the fact repeats: "headquartered" in the question favours the headquarters relation.
    private static double Overlap(HashSet<string> keywords, GraphRelation relation, GraphEntity? other)
    {
        if (keywords.Count == 0)
        {
            return 0;
        }

        var words = WordTokenizer.Words($"{relation.Relation} {relation.Description} {other?.Name}").ToHashSet(StringComparer.Ordinal);
        return (double)keywords.Count(words.Contains) / keywords.Count;
    }

    private string Render(List<GraphEntity> linked, IEnumerable<GraphRelation> relations, Dictionary<long, GraphEntity> names, Dictionary<string, int> number, int maxTokens)
    {
        var text = new TokenBudget(_tokens, maxTokens);
        foreach (var entity in linked)
        {
            if (!text.TryAppendLine($"{entity.Name} ({entity.Type}): {entity.Description}"))
            {
                return text.Text;
            }
        }

        foreach (var relation in relations)
        {
            if (!number.TryGetValue(relation.EvidenceId, out var n) || !names.TryGetValue(relation.SourceId, out var source) || !names.TryGetValue(relation.TargetId, out var target))
            {
                continue;
            }

            var observed = relation.ObservedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (!text.TryAppendLine($"{source.Name} —{relation.Relation}→ {target.Name}: {relation.Description} ({observed}) [{n.ToString(CultureInfo.InvariantCulture)}]"))
            {
                break;
            }
        }

        return text.Text;
    }
}
