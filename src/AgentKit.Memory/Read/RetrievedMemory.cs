namespace AgentKit.Memory;

/// <summary>A memory returned by a read, with its score and the normalised parts of the score.</summary>
/// <param name="Record">The memory (with its embedding).</param>
/// <param name="Score">w_recency·<paramref name="Recency"/> + w_importance·<paramref name="Importance"/> + w_relevance·<paramref name="Relevance"/>.</param>
/// <param name="Recency">0.995^(hours since last access), min-max normalised over the candidates.</param>
/// <param name="Importance">The importance, min-max normalised over the candidates.</param>
/// <param name="Relevance">The cosine similarity to the query, min-max normalised over the candidates.</param>
/// <param name="Similarity">The raw cosine similarity to the query.</param>
/// <param name="Tokens">The tokens the memory's text counts for the budget.</param>
public sealed record RetrievedMemory(MemoryRecord Record, double Score, double Recency, double Importance, double Relevance, double Similarity, int Tokens);
