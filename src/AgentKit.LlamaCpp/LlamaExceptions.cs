using AgentKit.Abstractions.Models;

namespace AgentKit.LlamaCpp;

/// <summary>
/// The base of every error AgentKit.LlamaCpp raises about llama.cpp, a model or its input. It is a
/// <see cref="ModelException"/>, so hosts map the engine's failures like any provider's.
/// </summary>
public class LlamaException : ModelException
{
    /// <summary>Creates the exception.</summary>
    public LlamaException() { }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The llama.cpp natives could not be found or loaded.</summary>
public sealed class LlamaNativeLibraryException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaNativeLibraryException() { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaNativeLibraryException(string message) : base(message) { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaNativeLibraryException(string message, Exception innerException) : base(message, innerException) { Kind = ModelFailureKind.Unavailable; }
}

/// <summary>A model file could not be loaded: missing, not a GGUF file, truncated, or of an architecture llama.cpp does not know.</summary>
public sealed class LlamaModelLoadException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaModelLoadException() { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaModelLoadException(string message) : base(message) { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaModelLoadException(string message, Exception innerException) : base(message, innerException) { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception for a file.</summary>
    public LlamaModelLoadException(string path, string reason, Exception? innerException = null)
        : base($"Cannot load model '{path}': {reason}", innerException!)
    {
        ModelPath = path;
        Kind = ModelFailureKind.Unavailable;
    }

    /// <summary>The model file concerned.</summary>
    public string? ModelPath { get; }
}

/// <summary>The input does not fit: a prompt or batch longer than the context or batch allows.</summary>
public sealed class LlamaContextOverflowException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaContextOverflowException() { Kind = ModelFailureKind.ContextLengthExceeded; }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaContextOverflowException(string message) : base(message) { Kind = ModelFailureKind.ContextLengthExceeded; }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaContextOverflowException(string message, Exception innerException) : base(message, innerException) { Kind = ModelFailureKind.ContextLengthExceeded; }

    /// <summary>Creates the exception for a number of tokens against a limit.</summary>
    public LlamaContextOverflowException(int tokens, int limit, string what)
        : base($"{what} needs {tokens} tokens but the limit is {limit}. Shorten the input or raise the context size (LlamaContextOptions.ContextSize).")
    {
        Tokens = tokens;
        Limit = limit;
        Kind = ModelFailureKind.ContextLengthExceeded;
    }

    /// <summary>How many tokens were needed.</summary>
    public int Tokens { get; }

    /// <summary>The limit that was exceeded.</summary>
    public int Limit { get; }
}

/// <summary>A GBNF grammar could not be parsed, or a JSON schema could not be turned into one.</summary>
public sealed class LlamaGrammarException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaGrammarException() { Kind = ModelFailureKind.InvalidSchema; }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaGrammarException(string message) : base(message) { Kind = ModelFailureKind.InvalidSchema; }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaGrammarException(string message, Exception innerException) : base(message, innerException) { Kind = ModelFailureKind.InvalidSchema; }
}

/// <summary>llama.cpp reported a failure while decoding.</summary>
public sealed class LlamaDecodeException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaDecodeException() { }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaDecodeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaDecodeException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a llama_decode return code.</summary>
    public LlamaDecodeException(int code, string detail)
        : base($"llama_decode failed with code {code}: {detail}") => Code = code;

    /// <summary>The code llama_decode returned.</summary>
    public int Code { get; }
}

/// <summary>
/// A draft model for speculative decoding does not share the target model's vocabulary (token count, special tokens
/// or a token's text differ), so its drafts would name other tokens than the target reads.
/// </summary>
public sealed class LlamaVocabularyMismatchException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaVocabularyMismatchException() { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaVocabularyMismatchException(string message) : base(message) { Kind = ModelFailureKind.Unavailable; }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaVocabularyMismatchException(string message, Exception innerException) : base(message, innerException) { Kind = ModelFailureKind.Unavailable; }
}
