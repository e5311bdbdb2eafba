using AgentKit.Abstractions.Graph;

namespace AgentKit.Graph;

/// <summary>
/// Where the graph lives. <see cref="SqliteGraphStore"/> keeps it in the vector store's SQLite file; another backend
/// (PostgreSQL) implements the same operations. Every write is one transaction; readers see a write whole or not at all.
/// </summary>
public interface IGraphStore
{
    /// <summary>The evidence a source contributed, with the content hash each was extracted from.</summary>
    /// <param name="source">The document path or memory source.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Evidence id → content hash.</returns>
    Task<IReadOnlyDictionary<string, string>> GetSourceHashesAsync(string source, CancellationToken cancellationToken = default);

    /// <summary>The ids of every source in the graph.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sources, in no particular order.</returns>
    Task<IReadOnlyList<string>> GetSourcesAsync(CancellationToken cancellationToken = default);

    /// <summary>Entities whose normalized name, or a name merged into them, is one of <paramref name="normalizedNames"/>.</summary>
    /// <param name="normalizedNames">Names in <see cref="EntityNames.Normalize"/> form.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entities found, each once.</returns>
    Task<IReadOnlyList<GraphEntity>> FindEntitiesAsync(IReadOnlyCollection<string> normalizedNames, CancellationToken cancellationToken = default);

    /// <summary>The entities whose name embeddings are most similar (cosine) to <paramref name="embedding"/>.</summary>
    /// <param name="embedding">A name or question embedding of the graph's embedding model.</param>
    /// <param name="top">At most this many.</param>
    /// <param name="minSimilarity">Only entities at least this similar.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entities with their similarity, most similar first.</returns>
    Task<IReadOnlyList<(GraphEntity Entity, double Similarity)>> NearestEntitiesAsync(ReadOnlyMemory<float> embedding, int top, double minSimilarity, CancellationToken cancellationToken = default);

    /// <summary>Entities by id.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entities that exist.</returns>
    Task<IReadOnlyList<GraphEntity>> GetEntitiesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);

    /// <summary>Relations with one of <paramref name="entityIds"/> at either end.</summary>
    /// <param name="entityIds">The entities.</param>
    /// <param name="limit">At most this many relations.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The relations.</returns>
    Task<IReadOnlyList<GraphRelation>> GetRelationsAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default);

    /// <summary>The evidence that mentions the entities.</summary>
    /// <param name="entityIds">The entities.</param>
    /// <param name="limit">At most this many mentions.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The mentions.</returns>
    Task<IReadOnlyList<GraphMention>> GetMentionsAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default);

    /// <summary>Evidence records by id.</summary>
    /// <param name="ids">Chunk or memory keys.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records that exist.</returns>
    Task<IReadOnlyList<GraphEvidenceRecord>> GetEvidenceAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>The newest entries of the merge log.</summary>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The merges, newest first.</returns>
    Task<IReadOnlyList<GraphMerge>> GetMergesAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Counts of entities, relations, evidence and merges.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The counts.</returns>
    Task<GraphStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);

    /// <summary>The graph's edges for community detection: one per related pair of entities, weighted by its relations.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The pairs, ordered by <see cref="GraphEdgeWeight.A"/> then <see cref="GraphEdgeWeight.B"/>.</returns>
    Task<IReadOnlyList<GraphEdgeWeight>> GetEdgeWeightsAsync(CancellationToken cancellationToken = default);

    /// <summary>Relations whose two ends are both among <paramref name="entityIds"/>.</summary>
    /// <param name="entityIds">The entities (a community's members).</param>
    /// <param name="limit">At most this many relations.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The relations, by id.</returns>
    Task<IReadOnlyList<GraphRelation>> GetRelationsWithinAsync(IReadOnlyCollection<long> entityIds, int limit, CancellationToken cancellationToken = default);

    /// <summary>The stored community reports.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Every community, with its embedding.</returns>
    Task<IReadOnlyList<GraphCommunity>> GetCommunitiesAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the community reports in one transaction: reports not in <paramref name="keep"/> are deleted and <paramref name="add"/> are stored.</summary>
    /// <param name="keep">Ids of the reports that still describe a community.</param>
    /// <param name="add">New reports.</param>
    /// <param name="cancellationToken">Cancels the write (before it commits).</param>
    /// <returns>How many reports were deleted.</returns>
    Task<int> ReplaceCommunitiesAsync(IReadOnlyCollection<string> keep, IReadOnlyList<GraphCommunity> add, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces what one piece of evidence contributes: its old mentions and relations go, the new ones come, entities
    /// are created or reused, merges are logged, and entities no evidence mentions any more are removed.
    /// </summary>
    /// <param name="evidence">The evidence, with its new content hash.</param>
    /// <param name="extraction">The resolved entities and relations.</param>
    /// <param name="cancellationToken">Cancels the write (before it commits).</param>
    /// <returns>A task that completes when the write is committed.</returns>
    /// <exception cref="GraphLimitExceededException">The graph would exceed a bound.</exception>
    Task ReplaceEvidenceAsync(GraphEvidenceRecord evidence, ResolvedExtraction extraction, CancellationToken cancellationToken = default);

    /// <summary>Removes evidence with its mentions and relations, and the entities left without any mention.</summary>
    /// <param name="evidenceIds">The chunk or memory keys.</param>
    /// <param name="cancellationToken">Cancels the write (before it commits).</param>
    /// <returns>How many entities were removed.</returns>
    Task<int> DeleteEvidenceAsync(IReadOnlyCollection<string> evidenceIds, CancellationToken cancellationToken = default);
}

/// <summary>An extraction whose entities have been resolved against the graph, ready to store.</summary>
/// <param name="Entities">The entities, each once.</param>
/// <param name="Relations">The relations, by index into <paramref name="Entities"/>.</param>
public sealed record ResolvedExtraction(IReadOnlyList<ResolvedEntity> Entities, IReadOnlyList<ResolvedRelation> Relations)
{
    /// <summary>Nothing extracted.</summary>
    public static ResolvedExtraction Empty { get; } = new([], []);
}

/// <summary>An extracted entity and the graph entity it resolved to.</summary>
/// <param name="ExistingId">The graph entity it merged into; <see langword="null"/> for a new entity.</param>
/// <param name="NormalizedName">The extracted name, normalized.</param>
/// <param name="Name">The extracted name.</param>
/// <param name="Type">The extracted type.</param>
/// <param name="Description">What the evidence says about it.</param>
/// <param name="Embedding">The name's embedding, unit length.</param>
/// <param name="MergeSimilarity">When it merged into an entity of another name by embedding similarity, that similarity (logged); otherwise null.</param>
public sealed record ResolvedEntity(long? ExistingId, string NormalizedName, string Name, string Type, string Description, ReadOnlyMemory<float> Embedding, double? MergeSimilarity);

/// <summary>An extracted relation between two resolved entities.</summary>
/// <param name="Source">Index of the subject in <see cref="ResolvedExtraction.Entities"/>.</param>
/// <param name="Relation">The label.</param>
/// <param name="Target">Index of the object.</param>
/// <param name="Description">The relation in a sentence.</param>
public sealed record ResolvedRelation(int Source, string Relation, int Target, string Description);
