namespace AgentKit.Graph;

/// <summary>The answer of <see cref="GraphGlobalSearch"/>.</summary>
/// <param name="Answer">The reduced answer, citing its points as <c>[n]</c>; a sentence saying why there is none when <paramref name="Answered"/> is false.</param>
/// <param name="Answered">Whether the community reports held anything that helps.</param>
/// <param name="Communities">The communities the cited points came from, best-rated point first.</param>
/// <param name="Evidence">The chunks and memories behind those communities' relations.</param>
/// <param name="ModelCalls">Map and reduce calls made.</param>
public sealed record GraphGlobalAnswer(string Answer, bool Answered, IReadOnlyList<GraphCommunityCitation> Communities, IReadOnlyList<string> Evidence, int ModelCalls);

/// <summary>A community an answer cites.</summary>
/// <param name="Id">The community report's id (<see cref="GraphCommunity.Id"/>).</param>
/// <param name="Title">Its title.</param>
/// <param name="Similarity">The cosine similarity of its report to the question.</param>
public sealed record GraphCommunityCitation(string Id, string Title, double Similarity);
