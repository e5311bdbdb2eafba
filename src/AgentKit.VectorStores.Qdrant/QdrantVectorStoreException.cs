using Grpc.Core;
using Microsoft.Extensions.VectorData;

namespace AgentKit.VectorStores.Qdrant;

/// <summary>
/// A Qdrant call failed: the server answered with an error (its message in <see cref="QdrantError"/>, the gRPC
/// status in <see cref="StatusCode"/>), could not be reached (<see cref="StatusCode"/> <c>Unavailable</c>), or did
/// not answer in time (no status).
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

    /// <summary>The gRPC status of the failed call (for example <c>InvalidArgument</c>, <c>NotFound</c>, <c>Unauthenticated</c>, <c>Unavailable</c>), or null when none applies (timeout, a refused create or delete).</summary>
    public StatusCode? StatusCode { get; init; }

    /// <summary>Qdrant's own error text (the gRPC status detail), or null.</summary>
    public string? QdrantError { get; init; }
}
