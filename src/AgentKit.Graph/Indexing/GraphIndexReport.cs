namespace AgentKit.Graph;

/// <summary>What one update of a source did.</summary>
/// <param name="Source">The source.</param>
/// <param name="Extracted">Items sent to the model (new or changed content).</param>
/// <param name="Unchanged">Items whose content hash was already in the graph: no model call.</param>
/// <param name="Removed">Items no longer in the source, removed with their evidence.</param>
/// <param name="EntitiesRemoved">Entities removed because no evidence mentions them any more.</param>
/// <param name="Failures">Items whose extraction failed; their previous graph is kept and they are retried at the next update.</param>
public sealed record GraphIndexReport(string Source, int Extracted, int Unchanged, int Removed, int EntitiesRemoved, IReadOnlyList<GraphIndexFailure> Failures);

/// <summary>An item whose extraction failed.</summary>
/// <param name="EvidenceId">The chunk or memory key.</param>
/// <param name="Reason">The failure.</param>
public sealed record GraphIndexFailure(string EvidenceId, string Reason);
