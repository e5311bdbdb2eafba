namespace AgentKit.Rag.Knowledge;

/// <summary>A knowledge base's source cannot be read: a folder or file that does not exist, or too many files.</summary>
public sealed class KnowledgeSourceException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The source as configured.</param>
    /// <param name="message">What is wrong and what to do.</param>
    public KnowledgeSourceException(string source, string message)
        : base(message) => SourcePattern = source;

    /// <summary>The source as configured (a path or a glob pattern).</summary>
    public string SourcePattern { get; }
}
