using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Tests.Support;

/// <summary>Stands in for a re-ranking model, to test orchestration: scores each candidate with the given function.</summary>
internal sealed class ScriptedReranker(Func<RetrievedChunk, double> score) : IRagReranker
{
    /// <summary>How many candidates the last call scored.</summary>
    public int LastCandidateCount { get; private set; }

    public Task<IReadOnlyList<double>> ScoreAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default)
    {
        LastCandidateCount = candidates.Count;
        return Task.FromResult<IReadOnlyList<double>>([.. candidates.Select(score)]);
    }
}
