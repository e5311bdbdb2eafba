namespace AgentKit.Agents;

/// <summary>No agent has the given name.</summary>
public sealed class AgentNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentNotFoundException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AgentNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A run was started in a session that is already running one; a session runs one turn at a time.</summary>
public sealed class AgentSessionBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentSessionBusyException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AgentSessionBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentSessionBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An agent is set up wrongly (missing chat client, a client that invokes functions itself, a duplicate name, …).</summary>
public sealed class AgentConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AgentConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>No run has the given id, or it is not in the state the operation needs (unfinished to resume, kept to attach).</summary>
public sealed class AgentRunNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentRunNotFoundException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AgentRunNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentRunNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
