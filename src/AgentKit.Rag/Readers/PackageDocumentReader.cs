using AgentKit.Rag.Documents;

namespace AgentKit.Rag.Readers;

/// <summary>
/// The readers of zip-packaged formats (Word, PowerPoint, Excel, OpenDocument, EPUB): parts are inflated with a bound on the
/// bytes they expand to, so a zip bomb stops with <see cref="DocumentReadFailure.TooLarge"/>, and their XML is parsed
/// without DTDs or external entities.
/// </summary>
public abstract class PackageDocumentReader : IDocumentReader
{
    /// <summary>The default <see cref="MaxExpandedBytes"/>: 256 MiB.</summary>
    public const long DefaultMaxExpandedBytes = 256L * 1024 * 1024;

    /// <summary>Creates a reader.</summary>
    /// <param name="maxExpandedBytes">The most bytes the parts read may expand to together.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExpandedBytes"/> is below 1.</exception>
    private protected PackageDocumentReader(long maxExpandedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExpandedBytes, 1);
        MaxExpandedBytes = maxExpandedBytes;
    }

    /// <summary>The most bytes the parts read may expand to together (a zip bomb stops here with
    /// <see cref="DocumentReadFailure.TooLarge"/>).</summary>
    public long MaxExpandedBytes { get; }

    /// <inheritdoc />
    public abstract IReadOnlyCollection<string> Extensions { get; }

    /// <inheritdoc />
    public abstract RagDocument Read(string sourcePath, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);
}
