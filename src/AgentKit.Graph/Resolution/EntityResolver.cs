using AgentKit.Graph.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Graph;

/// <summary>
/// Decides which graph entity each extracted name is: the entity with the same normalized name (or a name merged into
/// it before), else the entity whose name embedding is at least <see cref="EntityResolutionOptions.SimilarityThreshold"/>
/// similar, of the same type and spelled alike (character trigrams), recorded in the merge log, else a new entity.
/// </summary>
public sealed class EntityResolver
{
    private readonly IGraphStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly EntityResolutionOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a resolver.</summary>
    /// <param name="store">The graph.</param>
    /// <param name="embedder">Embeds names; the same model for every update of one graph.</param>
    /// <param name="options">Threshold and type rule; defaults when null.</param>
    /// <param name="logger">Logs merges.</param>
    public EntityResolver(IGraphStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, EntityResolutionOptions? options = null, ILogger<EntityResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _embedder = embedder;
        _options = options ?? new EntityResolutionOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Resolves an extraction's entities against the graph.</summary>
    /// <param name="extraction">The validated extraction.</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    /// <returns>The extraction, ready for <see cref="IGraphStore.ReplaceEvidenceAsync"/>.</returns>
    public async Task<ResolvedExtraction> ResolveAsync(ExtractedGraph extraction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        if (extraction.Entities.Count == 0)
        {
            return ResolvedExtraction.Empty;
        }

        var embeddings = await _embedder.GenerateAsync(extraction.Entities.Select(e => e.Name), cancellationToken: cancellationToken).ConfigureAwait(false);
        var known = (await _store.FindEntitiesAsync([.. extraction.Entities.Select(e => e.NormalizedName)], cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.NormalizedName, StringComparer.Ordinal);
        var entities = new List<ResolvedEntity>(extraction.Entities.Count);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < extraction.Entities.Count; i++)
        {
            var entity = extraction.Entities[i];
            var vector = embeddings[i].Vector;
            long? existing = null;
            double? similarity = null;
            if (known.TryGetValue(entity.NormalizedName, out var same))
            {
                existing = same.Id;
            }
            else if (_options.SimilarityThreshold < 1)
            {
                var nearest = await _store.NearestEntitiesAsync(vector, 5, _options.SimilarityThreshold, cancellationToken).ConfigureAwait(false);
                var match = nearest.FirstOrDefault(n =>
                    (!_options.RequireSameType || string.Equals(n.Entity.Type, entity.Type, StringComparison.Ordinal))
                    && TrigramOverlap(n.Entity.NormalizedName, entity.NormalizedName) >= _options.MinNameOverlap);
                if (match.Entity is not null)
                {
                    (existing, similarity) = (match.Entity.Id, match.Similarity);
                    GraphLog.Merged(_logger, entity.Name, match.Entity.Name, match.Similarity);
                }
            }

            index[entity.NormalizedName] = entities.Count;
            entities.Add(new ResolvedEntity(existing, entity.NormalizedName, entity.Name, entity.Type, entity.Description, vector, similarity));
        }

        var relations = extraction.Relations
            .Select(r => new ResolvedRelation(index[r.Source], r.Relation, index[r.Target], r.Description))
            .ToList();
        return new ResolvedExtraction(entities, relations);
    }

    internal static double TrigramOverlap(string a, string b)
    {
        var first = Trigrams(a);
        var second = Trigrams(b);
        var union = first.Count + second.Count - first.Count(second.Contains);
        return union == 0 ? 0 : (double)first.Count(second.Contains) / union;

        static HashSet<string> Trigrams(string name)
        {
            var padded = $" {name} ";
            return [.. Enumerable.Range(0, padded.Length - 2).Select(i => padded.Substring(i, 3))];
        }
    }
}
