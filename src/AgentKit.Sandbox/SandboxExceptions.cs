namespace AgentKit.Sandbox;

/// <summary>A sandboxed program did not complete: it hit a limit (<see cref="SandboxLimitExceededException"/>) or failed (<see cref="SandboxScriptException"/>).</summary>
public abstract class SandboxException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, for the host and for a model to correct its program.</param>
    /// <param name="output">What the program printed before it stopped.</param>
    /// <param name="innerException">The interpreter's exception, if any.</param>
    protected SandboxException(string message, string output, Exception? innerException)
        : base(message, innerException)
    {
        Output = output;
    }

    /// <summary>What the program printed before it stopped (bounded by <see cref="SandboxOptions.MaxOutputChars"/>).</summary>
    public string Output { get; }
}

/// <summary>A program ran into one of <see cref="SandboxOptions"/>' limits and was stopped; the host is unaffected.</summary>
public sealed class SandboxLimitExceededException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="limit">The limit.</param>
    /// <param name="message">The limit, its value and what to do, in words.</param>
    /// <param name="output">What the program printed before it stopped.</param>
    /// <param name="innerException">The interpreter's exception, if any.</param>
    public SandboxLimitExceededException(SandboxLimit limit, string message, string output = "", Exception? innerException = null)
        : base(message, output, innerException)
    {
        Limit = limit;
    }

    /// <summary>The limit the program ran into.</summary>
    public SandboxLimit Limit { get; }
}

/// <summary>How a program failed.</summary>
public enum SandboxErrorKind
{
    /// <summary>The source does not parse.</summary>
    Syntax,

    /// <summary>The program threw a value it did not catch (a <c>TypeError</c>, a <c>throw</c>, a rejected promise).</summary>
    Uncaught,
}

/// <summary>A program failed on its own terms: a syntax error or an uncaught JavaScript exception.</summary>
public sealed class SandboxScriptException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">How it failed.</param>
    /// <param name="message">The JavaScript error (<c>TypeError: x is not a function</c>) with its line and column.</param>
    /// <param name="output">What the program printed before it stopped.</param>
    /// <param name="innerException">The interpreter's exception.</param>
    public SandboxScriptException(SandboxErrorKind kind, string message, string output = "", Exception? innerException = null)
        : base(message, output, innerException)
    {
        Kind = kind;
    }

    /// <summary>How it failed.</summary>
    public SandboxErrorKind Kind { get; }

    /// <summary>The 1-based line of the error in the source, when known.</summary>
    public int? Line { get; init; }

    /// <summary>The 0-based column of the error, when known.</summary>
    public int? Column { get; init; }
}
