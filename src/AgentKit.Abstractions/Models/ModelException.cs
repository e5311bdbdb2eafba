namespace AgentKit.Abstractions.Models;

/// <summary>What kind of failure a <see cref="ModelException"/> reports; hosts map each kind to one answer (an HTTP status and error code in AgentKit's server).</summary>
public enum ModelFailureKind
{
    /// <summary>The model or its engine failed in a way the caller cannot fix by changing the request.</summary>
    Failed,

    /// <summary>The prompt (with the requested output) does not fit in the model's context window.</summary>
    ContextLengthExceeded,

    /// <summary>A JSON schema in the request (a tool's parameters or the response format) cannot be enforced by this model.</summary>
    InvalidSchema,

    /// <summary>The model is at capacity; <see cref="ModelException.RetryAfter"/> says when a retry is likely to be admitted.</summary>
    Busy,

    /// <summary>The model did not answer in time.</summary>
    Timeout,

    /// <summary>The model could not be reached or could not be loaded.</summary>
    Unavailable,

    /// <summary>The model's answer could not be understood (not the expected shape, or cut off).</summary>
    InvalidResponse,
}

/// <summary>
/// A chat or embedding model failed, whatever the provider (the local llama.cpp engine, an OpenAI-compatible endpoint):
/// <see cref="Kind"/> says how, so hosts map failures once instead of catching each provider's exceptions. The message
/// says plainly what failed and is fit to show a user.
/// </summary>
public class ModelException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public ModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ModelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception of a kind.</summary>
    /// <param name="kind">How the model failed.</param>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ModelException(ModelFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>How the model failed. Default: <see cref="ModelFailureKind.Failed"/>.</summary>
    public ModelFailureKind Kind { get; init; }

    /// <summary>The model's configured name or id, when known.</summary>
    public string? ModelName { get; init; }

    /// <summary>For <see cref="ModelFailureKind.Busy"/>: when a retry is likely to be admitted.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For <see cref="ModelFailureKind.InvalidSchema"/>: the tool whose parameter schema was refused; <see langword="null"/> when it was the response format's.</summary>
    public string? ToolName { get; init; }
}
