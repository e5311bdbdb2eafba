namespace AgentKit.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL server could not be reached or refused AgentKit's schema: the message names the server
/// (<c>host:port/database</c>) and what to do. Session operations report their failures as
/// <see cref="Agents.Sessions.SessionStoreException"/> with this exception as the cause.
/// </summary>
public sealed class PostgreSqlStorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PostgreSqlStorageException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public PostgreSqlStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PostgreSqlStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The server, as <c>host:port/database</c>.</summary>
    public string? Server { get; init; }

    /// <summary>PostgreSQL's SQLSTATE code when the server answered (for example <c>28P01</c>, wrong password); <see langword="null"/> when it could not be reached.</summary>
    public string? SqlState { get; init; }

    /// <summary>Whether retrying later may succeed: the server was unreachable, shutting down, out of connections, or a serialisation failure or deadlock.</summary>
    public bool IsTransient { get; init; }
}
