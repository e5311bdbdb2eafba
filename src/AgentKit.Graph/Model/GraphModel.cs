using AgentKit.Abstractions.Graph;

namespace AgentKit.Graph;

/// <summary>A node of the knowledge graph: one real-world thing, however many names its mentions used.</summary>
/// <param name="Id">The store's key.</param>
/// <param name="NormalizedName">The name as <see cref="EntityNames.Normalize"/> makes it; unique in the graph.</param>
/// <param name="Name">The name as first extracted.</param>
/// <param name="Type">The kind of thing (person, organization, place, ...), as first extracted.</param>
/// <param name="Description">The description from the entity's oldest remaining mention.</param>
public sealed record GraphEntity(long Id, string NormalizedName, string Name, string Type, string Description);

/// <summary>
/// An edge: one relation between two entities as one piece of evidence states it. The same pair may have several
/// relations, including contradicting ones from different evidence; each keeps its evidence and time.
/// </summary>
/// <param name="Id">The store's key.</param>
/// <param name="SourceId">The subject entity.</param>
/// <param name="Relation">The relation's label, such as <c>founded</c>.</param>
/// <param name="TargetId">The object entity.</param>
/// <param name="Description">The relation in a sentence, as extracted.</param>
/// <param name="EvidenceId">The chunk or memory that states it.</param>
/// <param name="ObservedAt">When that evidence was observed.</param>
public sealed record GraphRelation(long Id, long SourceId, string Relation, long TargetId, string Description, string EvidenceId, DateTimeOffset ObservedAt);

/// <summary>A chunk or memory the graph was extracted from.</summary>
/// <param name="Id">The chunk's or memory's key.</param>
/// <param name="Source">The document path or memory source it belongs to.</param>
/// <param name="Kind">Chunk or memory.</param>
/// <param name="ContentHash">The SHA-256 of its text when it was extracted; an equal hash is not extracted again.</param>
/// <param name="ObservedAt">When it was observed.</param>
public sealed record GraphEvidenceRecord(string Id, string Source, GraphEvidenceKind Kind, string ContentHash, DateTimeOffset ObservedAt);

/// <summary>An entity mentioned by a piece of evidence.</summary>
/// <param name="EntityId">The entity.</param>
/// <param name="EvidenceId">The chunk or memory.</param>
/// <param name="Description">What the evidence says the entity is.</param>
public sealed record GraphMention(long EntityId, string EvidenceId, string Description);

/// <summary>One entry of the merge log: a name that was resolved to an existing entity with another name.</summary>
/// <param name="EntityId">The entity the name now belongs to.</param>
/// <param name="MergedName">The name as extracted.</param>
/// <param name="IntoName">The entity's name.</param>
/// <param name="Similarity">The cosine similarity of the two names' embeddings.</param>
/// <param name="EvidenceId">The evidence whose extraction brought the name.</param>
/// <param name="MergedAt">When.</param>
public sealed record GraphMerge(long EntityId, string MergedName, string IntoName, double Similarity, string EvidenceId, DateTimeOffset MergedAt);

/// <summary>Counts of what the graph holds.</summary>
/// <param name="Entities">Entities.</param>
/// <param name="Relations">Relations (edges, one per evidence).</param>
/// <param name="Evidence">Chunks and memories extracted.</param>
/// <param name="Merges">Entries of the merge log.</param>
public sealed record GraphStatistics(long Entities, long Relations, long Evidence, long Merges);

/// <summary>How strongly two entities are related: the number of relations between them, in either direction.</summary>
/// <param name="A">The entity with the smaller id.</param>
/// <param name="B">The entity with the larger id.</param>
/// <param name="Relations">Relations between them.</param>
public sealed record GraphEdgeWeight(long A, long B, int Relations);

/// <summary>
/// A community of the graph (entities more densely related to each other than to the rest) with its model-written
/// report. Its id is the hash of the input the report was written from (members, their descriptions and the relations
/// among them), so a community whose members or facts change gets a new id and a new report, and one that did not
/// keeps its report.
/// </summary>
/// <param name="Id">The SHA-256 of the summarised input, lower-case hex.</param>
/// <param name="Title">The report's title.</param>
/// <param name="Summary">The report.</param>
/// <param name="Rating">How important the model rated it for questions about the whole collection, 0 to 10.</param>
/// <param name="Members">The entities, by id.</param>
/// <param name="Evidence">The chunks and memories that state the community's relations (the citations of answers built on it).</param>
/// <param name="Embedding">The embedding of title and summary, unit length, for ranking against questions.</param>
/// <param name="UpdatedAt">When the report was written.</param>
public sealed record GraphCommunity(string Id, string Title, string Summary, int Rating, IReadOnlyList<long> Members, IReadOnlyList<string> Evidence, ReadOnlyMemory<float> Embedding, DateTimeOffset UpdatedAt);
