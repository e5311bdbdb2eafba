using System.Globalization;

namespace AgentKit.Prompts;

/// <summary>
/// A prompt file is wrong, or the inputs given to it are: bad YAML, a Liquid syntax error, an undefined variable,
/// a missing, unknown or mistyped input, a file or rendering over its size limit. The message names the file, the
/// line in the file and the input involved, and says what to do.
/// </summary>
public class PromptException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public PromptException()
        : this("The prompt is not valid.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">What is wrong.</param>
    public PromptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PromptException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception located in a prompt file.</summary>
    /// <param name="problem">What is wrong, without the location (it is prefixed).</param>
    /// <param name="filePath">The prompt file.</param>
    /// <param name="line">The 1-based line in the file, 0 when no line applies.</param>
    /// <param name="inputName">The input involved, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public PromptException(string problem, string filePath, int line, string? inputName = null, Exception? innerException = null)
        : base(Format(problem, filePath, line, inputName), innerException)
    {
        Problem = problem;
        FilePath = filePath;
        Line = line;
        InputName = inputName;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; } = "";

    /// <summary>The prompt file, as given when it was loaded or parsed.</summary>
    public string FilePath { get; } = "";

    /// <summary>The 1-based line in the file (front matter included); 0 when no line applies.</summary>
    public int Line { get; }

    /// <summary>The input (or template variable) involved; <see langword="null"/> when none is.</summary>
    public string? InputName { get; }

    private static string Format(string problem, string filePath, int line, string? inputName)
    {
        var location = line > 0 ? string.Create(CultureInfo.InvariantCulture, $"{filePath}:{line}") : filePath;
        return inputName is null ? $"{location}: {problem}" : $"{location}: input '{inputName}': {problem}";
    }
}
