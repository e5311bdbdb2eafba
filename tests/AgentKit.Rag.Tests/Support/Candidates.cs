using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Tests.Support;

/// <summary>First-stage candidates for re-ranker tests: one manual, each chunk with its own key.</summary>
internal static class Candidates
{
    public static RetrievedChunk Chunk(string text, double score, string section = "") => new()
    {
        Id = Guid.NewGuid(),
        Text = text,
        Source = "/docs/manual.md",
        Title = "Manual",
        Section = section,
        ContentHash = text,
        Score = score,
    };
}
