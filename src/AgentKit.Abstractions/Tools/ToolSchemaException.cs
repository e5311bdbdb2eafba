using AgentKit.Abstractions.Json;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// A tool's parameter schema cannot be enforced (an unknown keyword, a <c>$ref</c> that does not resolve, a pattern .NET
/// cannot run…), so the tool is refused when it is registered instead of being called with unchecked arguments.
/// </summary>
public sealed class ToolSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolSchemaException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    public ToolSchemaException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ToolSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ToolSchemaException(string toolName, JsonSchemaNotSupportedException cause)
        : base($"The tool '{toolName}' has a parameter schema AgentKit cannot enforce: {cause.Message}. Fix the schema (or the tool's parameters) so every keyword can be checked.", cause)
    {
        ToolName = toolName;
        Keyword = cause.Keyword;
    }

    /// <summary>The refused tool.</summary>
    public string? ToolName { get; }

    /// <summary>The schema keyword at fault, when one is.</summary>
    public string? Keyword { get; }
}
