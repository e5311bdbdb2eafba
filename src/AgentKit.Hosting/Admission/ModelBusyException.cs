using AgentKit.Abstractions.Models;

namespace AgentKit.Hosting.Admission;

/// <summary>
/// A model refused a request because it is at capacity: every slot is in use and either the wait queue is full or
/// no slot came free within the queue timeout. A <see cref="ModelException"/> of kind <see cref="ModelFailureKind.Busy"/>:
/// hosts answer it with HTTP 429 and <c>Retry-After</c>.
/// </summary>
public sealed class ModelBusyException : ModelException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelId">The model that is busy.</param>
    /// <param name="retryAfter">When a retry is likely to be admitted: the recent mean time a request holds a slot, times the queue ahead.</param>
    /// <param name="message">What limit was reached.</param>
    public ModelBusyException(string modelId, TimeSpan retryAfter, string message)
        : base(ModelFailureKind.Busy, message)
    {
        ModelName = modelId;
        RetryAfter = retryAfter;
    }
}
