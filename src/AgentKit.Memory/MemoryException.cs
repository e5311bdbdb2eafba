namespace AgentKit.Memory;

/// <summary>A memory operation failed: the store, the model's answers or the configuration were not usable.</summary>
public class MemoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MemoryException()
        : this("A memory operation failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public MemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A memory tool was called without a memory scope: no agent is known for the call, so nothing may be read or changed.</summary>
public sealed class MemoryScopeMissingException : MemoryException
{
    /// <summary>Creates the exception.</summary>
    public MemoryScopeMissingException()
        : base("The memory tools were called without a memory scope. Give the agent an AgentKit memory (MemoryAgentHook) so each turn carries its scope, or create the tools with a fixed scope (MemoryTools.Create(memory, scope)).")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public MemoryScopeMissingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryScopeMissingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
