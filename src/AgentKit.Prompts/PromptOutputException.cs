namespace AgentKit.Prompts;

/// <summary>
/// The model's structured answer was still invalid after one retry carrying the validation error.
/// </summary>
public sealed class PromptOutputException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public PromptOutputException()
        : this("The model's structured answer is not valid.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">What is wrong.</param>
    public PromptOutputException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PromptOutputException(string message, Exception? innerException)
        : base(message, innerException)
    {
        PromptName = "";
        RawAnswer = "";
        ValidationError = message;
    }

    /// <summary>Creates the exception for a prompt's rejected answer.</summary>
    /// <param name="promptName">The prompt that was called.</param>
    /// <param name="rawAnswer">The model's last answer, as it came.</param>
    /// <param name="validationError">Why the answer was rejected.</param>
    /// <param name="innerException">The deserialization error, if that was the cause.</param>
    public PromptOutputException(string promptName, string rawAnswer, string validationError, Exception? innerException = null)
        : base($"The answer to prompt '{promptName}' is not valid after one retry: {validationError} Answer: {Shorten(rawAnswer)}", innerException)
    {
        PromptName = promptName;
        RawAnswer = rawAnswer;
        ValidationError = validationError;
    }

    /// <summary>The prompt that was called.</summary>
    public string PromptName { get; }

    /// <summary>The model's last answer, as it came.</summary>
    public string RawAnswer { get; }

    /// <summary>Why the answer was rejected.</summary>
    public string ValidationError { get; }

    private static string Shorten(string text) => text.Length <= 500 ? text : string.Concat(text.AsSpan(0, 500), "…");
}
