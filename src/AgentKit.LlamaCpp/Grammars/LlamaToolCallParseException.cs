namespace AgentKit.LlamaCpp.Grammars;

/// <summary>Model output looked like a tool call but could not be read as one.</summary>
public sealed class LlamaToolCallParseException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaToolCallParseException() { }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaToolCallParseException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaToolCallParseException(string message, Exception innerException) : base(message, innerException) { }
}
