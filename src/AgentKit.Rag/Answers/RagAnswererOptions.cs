using AgentKit.Abstractions.Evidence;
using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Answers;

/// <summary>Settings of <see cref="RagAnswerer"/>.</summary>
public sealed record RagAnswererOptions
{
    /// <summary>The prompt file that writes answers. Default <c>rag/answer</c> (inputs: question, documents, count).</summary>
    public string PromptName { get; init; } = RagAnswerer.DefaultPromptName;

    /// <summary>How chunks are retrieved for a question. Default: hybrid, top 5.</summary>
    public RetrievalOptions Retrieval { get; init; } = new();

    /// <summary>
    /// The answer given, without calling the model, when retrieval finds nothing. Default: "The knowledge base has
    /// nothing on this question."
    /// </summary>
    public string NothingFoundAnswer { get; init; } = "The knowledge base has nothing on this question.";

    /// <summary>
    /// How disagreements between the retrieved passages are found (<see cref="EvidenceConflictDetector"/>); null turns
    /// the check off. Default: the detector's defaults. Found conflicts go to the prompt (input <c>conflicts</c>, when
    /// the prompt declares it) and to <see cref="RagAnswer.Conflicts"/>, and an answer that does not cite both sides of
    /// one gets a note stating it.
    /// </summary>
    public EvidenceConflictOptions? Conflicts { get; init; } = new();
}
