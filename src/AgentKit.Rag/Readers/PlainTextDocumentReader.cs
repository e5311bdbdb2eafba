using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>Reads plain text (<c>.txt</c>, <c>.text</c>): one section titled by the file name.</summary>
public sealed class PlainTextDocumentReader : IDocumentReader
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text"];

    /// <inheritdoc />
    public RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var text = TextDecoding.Decode(sourcePath, content.Span).Trim();
        DocumentSection[] sections = text.Length == 0 ? [] : [new DocumentSection([], text)];
        return new RagDocument(sourcePath, Path.GetFileNameWithoutExtension(sourcePath), sections);
    }
}
