namespace AgentKit.Graph;

/// <summary>What one extraction produced, after validation.</summary>
/// <param name="Entities">The entities, each normalized name once.</param>
/// <param name="Relations">The relations, between those entities only.</param>
/// <param name="Dropped">Why each dropped item of the model's answer was dropped.</param>
public sealed record ExtractedGraph(IReadOnlyList<ExtractedEntity> Entities, IReadOnlyList<ExtractedRelation> Relations, IReadOnlyList<string> Dropped);

/// <summary>An extracted entity.</summary>
/// <param name="NormalizedName">The name in <see cref="EntityNames.Normalize"/> form.</param>
/// <param name="Name">The name as extracted.</param>
/// <param name="Type">Its type, lower-case.</param>
/// <param name="Description">What the text says about it.</param>
public sealed record ExtractedEntity(string NormalizedName, string Name, string Type, string Description);

/// <summary>An extracted relation; its ends are normalized names of <see cref="ExtractedGraph.Entities"/>.</summary>
/// <param name="Source">The subject's normalized name.</param>
/// <param name="Relation">The label, lower-case.</param>
/// <param name="Target">The object's normalized name.</param>
/// <param name="Description">The fact in a sentence.</param>
public sealed record ExtractedRelation(string Source, string Relation, string Target, string Description);
