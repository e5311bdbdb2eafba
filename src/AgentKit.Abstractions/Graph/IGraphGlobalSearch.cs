namespace AgentKit.Abstractions.Graph;

/// <summary>
/// Global search over a knowledge graph: answers a question about a whole collection ("what are the main themes?")
/// from the graph's community summaries, which no single passage could. Retrieval's answerer (AgentKit.Rag) offers it
/// as an answer mode when one is registered; AgentKit.Graph implements it. The contract lives here so Rag does not
/// depend on the graph library.
/// </summary>
public interface IGraphGlobalSearch
{
    /// <summary>Answers a question about the whole collection.</summary>
    /// <param name="question">The question.</param>
    /// <param name="cancellationToken">Cancels the search, including model calls in flight.</param>
    /// <returns>The answer with the points, communities and evidence it rests on; not answered when nothing helps.</returns>
    Task<GraphGlobalAnswer> SearchAsync(string question, CancellationToken cancellationToken = default);
}

/// <summary>The answer of a global search.</summary>
/// <param name="Answer">The reduced answer, citing its points (<see cref="Points"/>) as <c>[n]</c>; a sentence saying why there is none when <paramref name="Answered"/> is false.</param>
/// <param name="Answered">Whether the community reports held anything that helps.</param>
/// <param name="Communities">The communities the cited points came from, best-rated point first.</param>
/// <param name="Evidence">The chunks and memories behind those communities' relations.</param>
/// <param name="ModelCalls">Map and reduce calls made.</param>
public sealed record GraphGlobalAnswer(string Answer, bool Answered, IReadOnlyList<GraphCommunityCitation> Communities, IReadOnlyList<string> Evidence, int ModelCalls)
{
    /// <summary>The points the reduce step was given, numbered as <see cref="Answer"/> cites them; empty when not answered.</summary>
    public IReadOnlyList<GraphGlobalPoint> Points { get; init; } = [];
}

/// <summary>A community an answer cites.</summary>
/// <param name="Id">The community report's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="Similarity">The cosine similarity of its report to the question.</param>
/// <param name="Evidence">The chunks and memories its relations were extracted from.</param>
public sealed record GraphCommunityCitation(string Id, string Title, double Similarity, IReadOnlyList<string> Evidence);

/// <summary>One point of a global answer: what the map step found in some community reports.</summary>
/// <param name="Number">Its number in the answer's <c>[n]</c> markers, from 1.</param>
/// <param name="Text">The point.</param>
/// <param name="Rating">How much it helps answer the question, 0 to 100, as the map step rated it.</param>
/// <param name="Communities">The ids of the community reports it came from.</param>
public sealed record GraphGlobalPoint(int Number, string Text, int Rating, IReadOnlyList<string> Communities);
