namespace AgentKit.Abstractions.Graph;

/// <summary>
/// Receives the texts a knowledge graph is built from: ingestion (AgentKit.Rag) hands over each document's chunks and
/// memory writes (AgentKit.Memory) each memory, when one is registered. AgentKit.Graph implements it and re-extracts
/// only items whose content changed.
/// </summary>
public interface IGraphEvidenceSink
{
    /// <summary>Replaces what a source contributes: new and changed items are extracted, items no longer listed are removed.</summary>
    /// <param name="source">The document path or memory source.</param>
    /// <param name="kind">What the items are.</param>
    /// <param name="items">The source's items, all of them.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>A task that completes when the graph holds the source's items.</returns>
    Task UpsertSourceAsync(string source, GraphEvidenceKind kind, IReadOnlyList<GraphEvidenceItem> items, CancellationToken cancellationToken = default);

    /// <summary>Removes a source's evidence and the entities and relations only it supported.</summary>
    /// <param name="source">The document path or memory source.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the source is gone from the graph.</returns>
    Task DeleteSourceAsync(string source, CancellationToken cancellationToken = default);
}

/// <summary>One text the graph is built from.</summary>
/// <param name="Id">The chunk's or memory's key; stable across updates of the same item.</param>
/// <param name="Text">The text.</param>
/// <param name="ObservedAt">When the fact was observed (a memory's creation, a file's last write); relations keep it.</param>
public sealed record GraphEvidenceItem(string Id, string Text, DateTimeOffset ObservedAt);
