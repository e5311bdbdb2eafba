namespace AgentKit.Abstractions.Graph;

/// <summary>
/// Reads a knowledge graph for a question: the entities it names, their neighbourhood, and the evidence (document
/// chunks or memories) those facts were extracted from. Retrieval (AgentKit.Rag) and memory reads (AgentKit.Memory)
/// call it when one is registered; AgentKit.Graph implements it. The contract lives here so neither depends on the
/// graph library.
/// </summary>
public interface IGraphContextSource
{
    /// <summary>Finds the graph context of a question.</summary>
    /// <param name="query">The question and its bounds.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The context; empty when the question names no known entity.</returns>
    Task<GraphContext> GetContextAsync(GraphContextQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Which kind of evidence an item of the graph came from.</summary>
public enum GraphEvidenceKind
{
    /// <summary>A chunk of an ingested document; its id is the chunk's key.</summary>
    Chunk,

    /// <summary>An agent memory; its id is the memory's key.</summary>
    Memory,
}

/// <summary>A question for <see cref="IGraphContextSource"/>.</summary>
public sealed record GraphContextQuery
{
    /// <summary>The question.</summary>
    public required string Question { get; init; }

    /// <summary>Only evidence of this kind is returned; <see langword="null"/> (the default): both.</summary>
    public GraphEvidenceKind? EvidenceKind { get; init; }

    /// <summary>Tokens the context text may take; <see langword="null"/>: the source's default.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>At most this many evidence items; <see langword="null"/>: the source's default.</summary>
    public int? MaxEvidence { get; init; }
}

/// <summary>One piece of evidence the graph context cites.</summary>
/// <param name="Id">The chunk's or memory's key, as the indexer was given it.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Source">The document or memory source it belongs to.</param>
/// <param name="Score">How close it is to the question's entities (higher is better; 1 for direct facts, less per hop).</param>
public sealed record GraphEvidence(string Id, GraphEvidenceKind Kind, string Source, double Score);

/// <summary>What the graph knows about a question.</summary>
/// <param name="Entities">The names of the graph entities the question was linked to.</param>
/// <param name="Text">The facts found, one a line, each ending with the numbers of its evidence in <paramref name="Evidence"/> (<c>[1]</c>, 1-based).</param>
/// <param name="Evidence">The evidence the facts cite, best first.</param>
public sealed record GraphContext(IReadOnlyList<string> Entities, string Text, IReadOnlyList<GraphEvidence> Evidence)
{
    /// <summary>No context.</summary>
    public static GraphContext Empty { get; } = new([], "", []);
}
