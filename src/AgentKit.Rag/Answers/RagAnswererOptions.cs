using AgentKit.Abstractions.Evidence;
using AgentKit.Rag.Retrieval;

namespace AgentKit.Rag.Answers;

/// <summary>How <see cref="RagAnswerer"/> answers.</summary>
public enum RagAnswerMode
{
    /// <summary>From the passages retrieval finds for the question (the prompt file <see cref="RagAnswererOptions.PromptName"/>), citing them.</summary>
    Passages,

    /// <summary>
    /// Global search over the knowledge graph's community summaries (<see cref="AgentKit.Abstractions.Graph.IGraphGlobalSearch"/>,
    /// the graph's own model and prompts), for questions about the whole corpus ("what are the main themes?"); the
    /// answer cites the chunks the cited communities' relations come from. Needs a graph with community summaries.
    /// </summary>
    Global,
}

/// <summary>Settings of <see cref="RagAnswerer"/>.</summary>
public sealed record RagAnswererOptions
{
    /// <summary>How questions are answered. Default: <see cref="RagAnswerMode.Passages"/>.</summary>
    public RagAnswerMode Mode { get; init; } = RagAnswerMode.Passages;

    /// <summary>
    /// In <see cref="RagAnswerMode.Global"/>, the most chunks an answer cites (the communities' evidence, in the order
    /// of the communities); from 1 to 100. Default: 10.
    /// </summary>
    public int MaxGlobalCitations { get; init; } = 10;

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
