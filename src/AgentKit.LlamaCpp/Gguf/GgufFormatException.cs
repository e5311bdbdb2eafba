namespace AgentKit.LlamaCpp.Gguf;

/// <summary>A file is not a well-formed GGUF file, or describes tensors that do not fit in it.</summary>
public sealed class GgufFormatException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public GgufFormatException() { }

    /// <summary>Creates the exception with a message.</summary>
    public GgufFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public GgufFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a problem found at a byte offset of a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="offset">Where in the file the problem was found.</param>
    /// <param name="problem">What is wrong.</param>
    public GgufFormatException(string path, long offset, string problem)
        : base($"Invalid GGUF file '{path}' at byte {offset}: {problem}")
    {
        FilePath = path;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file concerned.</summary>
    public string? FilePath { get; }

    /// <summary>The byte offset in the file where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the file and offset.</summary>
    public string? Problem { get; }
}
