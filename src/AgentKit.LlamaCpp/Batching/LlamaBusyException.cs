using AgentKit.Abstractions.Models;

namespace AgentKit.LlamaCpp.Batching;

/// <summary>
/// A <see cref="LlamaBatchScheduler"/> refused a request: every sequence is busy and the wait queue
/// (<see cref="LlamaBatchingOptions.MaxQueuedRequests"/>) is full. Of kind <see cref="ModelFailureKind.Busy"/>, so
/// hosts answer it with HTTP 429.
/// </summary>
public sealed class LlamaBusyException : LlamaException
{
    /// <summary>Creates the exception.</summary>
    public LlamaBusyException() { Kind = ModelFailureKind.Busy; }

    /// <summary>Creates the exception with a message.</summary>
    public LlamaBusyException(string message) : base(message) { Kind = ModelFailureKind.Busy; }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LlamaBusyException(string message, Exception innerException) : base(message, innerException) { Kind = ModelFailureKind.Busy; }
}
