namespace AgentKit.Graph;

/// <summary>A knowledge-graph operation failed: the store could not be read or written, or its schema is not one this version knows.</summary>
public class GraphException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, where, and what to do.</param>
    /// <param name="innerException">The underlying failure.</param>
    public GraphException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>A write would take the graph past one of its bounds (<see cref="GraphStoreOptions"/>).</summary>
public sealed class GraphLimitExceededException : GraphException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="limit">The option that bounds it, such as <c>MaxEntities</c>.</param>
    /// <param name="value">The limit's value.</param>
    /// <param name="message">What would have exceeded it.</param>
    public GraphLimitExceededException(string limit, long value, string message)
        : base(message)
    {
        Limit = limit;
        Value = value;
    }

    /// <summary>The option that bounds it.</summary>
    public string Limit { get; }

    /// <summary>The limit's value.</summary>
    public long Value { get; }
}
