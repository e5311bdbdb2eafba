namespace AgentKit.Abstractions.Json;

/// <summary>A JSON schema AgentKit cannot enforce: it is refused rather than accepted unchecked.</summary>
public sealed class JsonSchemaNotSupportedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JsonSchemaNotSupportedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    public JsonSchemaNotSupportedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JsonSchemaNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal JsonSchemaNotSupportedException(string? keyword, string? pointer, string problem, Exception? innerException = null)
        : base(Describe(keyword, pointer, problem), innerException)
    {
        Keyword = keyword;
        Location = pointer;
    }

    /// <summary>The keyword at fault (<c>maxlength</c>, <c>$ref</c>, <c>pattern</c>), when one is.</summary>
    public string? Keyword { get; }

    /// <summary>Where in the schema, as a JSON pointer (<c>#/properties/name/maxlength</c>), when known.</summary>
    public string? Location { get; }

    private static string Describe(string? keyword, string? pointer, string problem) =>
        (keyword, pointer) switch
        {
            (not null, not null) => $"keyword '{keyword}' at {pointer}: {problem}",
            (not null, null) => $"keyword '{keyword}': {problem}",
            (null, not null) => $"{pointer}: {problem}",
            _ => problem,
        };
}
