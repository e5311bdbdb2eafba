using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>Turns a file's bytes into a <see cref="RagDocument"/>.</summary>
public interface IDocumentReader
{
    /// <summary>The file extensions this reader handles, each with its leading dot, lower case (<c>.pdf</c>).</summary>
    IReadOnlyCollection<string> Extensions { get; }

    /// <summary>Reads a document.</summary>
    /// <param name="sourcePath">The file's path; it names the document and appears in errors. The file is not opened.</param>
    /// <param name="content">The file's bytes.</param>
    /// <param name="cancellationToken">Stops reading between pages or sections.</param>
    /// <returns>The document; it may have no text (see <see cref="RagDocument.HasText"/>).</returns>
    /// <exception cref="DocumentReadException">The file is encrypted, corrupt or not of the reader's format.</exception>
    RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);
}
