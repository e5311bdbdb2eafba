using System.Net;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// A Qdrant request failed: the server answered with an error (its message in <see cref="QdrantError"/>, the HTTP
/// status in <see cref="StatusCode"/>), could not be reached, or did not answer in time.
/// <see cref="VectorStoreException.OperationName"/> names the operation.
/// </summary>
public sealed class QdrantVectorStoreException : VectorStoreException
{
    /// <summary>Creates an exception.</summary>
    public QdrantVectorStoreException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public QdrantVectorStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public QdrantVectorStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status Qdrant answered with, or null when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>Qdrant's own error text (<c>status.error</c>, or the plain-text body), or null.</summary>
    public string? QdrantError { get; init; }
}
