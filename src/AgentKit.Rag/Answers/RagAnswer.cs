using AgentKit.Abstractions.Evidence;
using AgentKit.Abstractions.Graph;
using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Answers;

/// <summary>A numbered reference the answer may cite as <c>[n]</c>.</summary>
/// <param name="Number">The number, from 1.</param>
/// <param name="Chunk">The retrieved chunk behind it.</param>
public sealed record RagCitation(int Number, RetrievedChunk Chunk)
{
    /// <summary>The reference as printed: <c>[n] file, p. 4, Section</c>.</summary>
    public override string ToString() => $"[{Number}] {Chunk.Citation}";
}

/// <summary>An answer to a question from the knowledge base.</summary>
/// <param name="Question">The question.</param>
/// <param name="Text">The model's answer, with <c>[n]</c> markers.</param>
/// <param name="Citations">Every chunk the model was given, numbered as in the prompt.</param>
/// <param name="UsedNumbers">The citation numbers the answer actually cites, in order of first use; markers outside 1 … <see cref="Citations"/>.Count are ignored.</param>
public sealed record RagAnswer(string Question, string Text, IReadOnlyList<RagCitation> Citations, IReadOnlyList<int> UsedNumbers)
{
    /// <summary>The citations the answer uses, in order of first use.</summary>
    public IReadOnlyList<RagCitation> UsedCitations => UsedNumbers.Select(n => Citations[n - 1]).ToList();

    /// <summary>
    /// Where the passages disagree; evidence ids are citation numbers. Empty when they agree or the check is off.
    /// </summary>
    public IReadOnlyList<EvidenceConflict> Conflicts { get; init; } = [];

    /// <summary>How it was answered.</summary>
    public RagAnswerMode Mode { get; init; } = RagAnswerMode.Passages;

    /// <summary>In <see cref="RagAnswerMode.Global"/>, the graph communities the answer rests on, their chunks being its <see cref="Citations"/>; otherwise empty.</summary>
    public IReadOnlyList<GraphCommunityCitation> Communities { get; init; } = [];
}
