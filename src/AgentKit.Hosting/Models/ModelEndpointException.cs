using AgentKit.Abstractions.Models;

namespace AgentKit.Hosting.Models;

/// <summary>What went wrong with a remote model endpoint.</summary>
public enum ModelEndpointFailure
{
    /// <summary>No answer within <c>AgentKit:Models:&lt;name&gt;:Timeout</c> (per attempt, retries included).</summary>
    Timeout,

    /// <summary>The endpoint could not be reached (connection refused, DNS, TLS, connection reset).</summary>
    Unreachable,

    /// <summary>The endpoint answered with an HTTP error status (after the retries, for 429 and 5xx).</summary>
    HttpError,

    /// <summary>The endpoint's answer was not a valid chat completion (not JSON, wrong shape).</summary>
    InvalidResponse,

    /// <summary>A streamed answer ended before the model finished (no <c>finish_reason</c>, or a cut connection).</summary>
    TruncatedStream,
}

/// <summary>
/// A remote (OpenAI-compatible) model endpoint failed: it timed out, could not be reached, answered with an HTTP
/// error or with something that is not a chat completion. The message names the model, the endpoint and what failed,
/// in words a user can be shown; <see cref="ModelException.Kind"/> classifies it for hosts (an upstream
/// <c>context_length_exceeded</c> is <see cref="ModelFailureKind.ContextLengthExceeded"/>).
/// </summary>
public sealed class ModelEndpointException : ModelException
{
    /// <summary>Creates the exception.</summary>
    public ModelEndpointException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelEndpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelEndpointException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The endpoint.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>What failed.</summary>
    public ModelEndpointFailure Failure { get; init; }

    /// <summary>What failed, in words, without the endpoint's address (for callers that must not see it).</summary>
    public string? Reason { get; init; }

    /// <summary>The HTTP status, for <see cref="ModelEndpointFailure.HttpError"/>.</summary>
    public int? StatusCode { get; init; }
}
