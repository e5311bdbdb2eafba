namespace AgentKit.Graph.Extraction;

// The structured answer of graph/extract; the property names are the prompt's `outputs` keys.
internal sealed record ExtractionAnswer(IReadOnlyList<ExtractedEntityAnswer> Entities, IReadOnlyList<ExtractedRelationAnswer> Relations);

internal sealed record ExtractedEntityAnswer(string Name, string Type, string Description);

internal sealed record ExtractedRelationAnswer(string Source, string Relation, string Target, string Description);
