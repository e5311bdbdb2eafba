namespace AgentKit.Sandbox.Making;

/// <summary>
/// A proposed tool was refused: a field is invalid, the name is taken, or an example failed. <see cref="Field"/> names
/// the part (<c>name</c>, <c>parametersSchema</c>, <c>body</c>, <c>examples[2].input</c>); the message says what to
/// change. Nothing was stored.
/// </summary>
public sealed class ToolProposalException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="field">The field at fault.</param>
    /// <param name="message">What was wrong and what to do.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ToolProposalException(string field, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Field = field;
    }

    /// <summary>Creates the exception.</summary>
    public ToolProposalException()
        : this("proposal", "The proposed tool was refused.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    public ToolProposalException(string message)
        : this("proposal", message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ToolProposalException(string message, Exception innerException)
        : this("proposal", message, innerException)
    {
    }

    /// <summary>The field at fault: <c>name</c>, <c>description</c>, <c>parametersSchema</c>, <c>body</c>, <c>examples</c>, <c>examples[i]</c>, <c>examples[i].input</c> or <c>examples[i].expected</c>.</summary>
    public string Field { get; }
}

/// <summary>The made tools' SQLite file could not be read or written (I/O error, a locked, corrupt or foreign file); the message names the file.</summary>
public sealed class MadeToolStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MadeToolStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the file.</param>
    public MadeToolStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the file.</param>
    /// <param name="innerException">The SQLite error.</param>
    public MadeToolStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
