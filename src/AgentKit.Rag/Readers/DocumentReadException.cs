namespace AgentKit.Rag.Readers;

/// <summary>Why a reader could not read a file.</summary>
public enum DocumentReadFailure
{
    /// <summary>The file is damaged or is not of the format its extension claims.</summary>
    Corrupt,

    /// <summary>The file is encrypted and cannot be opened without a password.</summary>
    Encrypted,

    /// <summary>The file is over one of the reader's limits (such as <see cref="PdfDocumentReader.MaxPages"/>).</summary>
    TooLarge,
}

/// <summary>A file a reader could not read: it names the file and says why.</summary>
public sealed class DocumentReadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourcePath">The file.</param>
    /// <param name="failure">Why it could not be read.</param>
    /// <param name="message">What went wrong, naming the file.</param>
    /// <param name="innerException">The parser's own error, if any.</param>
    public DocumentReadException(string sourcePath, DocumentReadFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        SourcePath = sourcePath;
        Failure = failure;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DocumentReadException()
        : this("", DocumentReadFailure.Corrupt, "The document could not be read.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public DocumentReadException(string message)
        : this("", DocumentReadFailure.Corrupt, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DocumentReadException(string message, Exception innerException)
        : this("", DocumentReadFailure.Corrupt, message, innerException)
    {
    }

    /// <summary>The file that could not be read.</summary>
    public string SourcePath { get; }

    /// <summary>Why it could not be read.</summary>
    public DocumentReadFailure Failure { get; }
}
