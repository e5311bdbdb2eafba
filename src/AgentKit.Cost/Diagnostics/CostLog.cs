using Microsoft.Extensions.Logging;

namespace AgentKit.Cost.Diagnostics;

internal static partial class CostLog
{
    [LoggerMessage(1, LogLevel.Warning, "The completion cache lookup failed; the request goes to the model.")]
    public static partial void LookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "The completion cache could not store an answer; it was returned uncached.")]
    public static partial void StoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Cascade step {Model}: score {Score:F3}, threshold {Threshold:F3}, accepted {Accepted}.")]
    public static partial void CascadeStep(ILogger logger, string model, double score, double threshold, bool accepted);

    [LoggerMessage(4, LogLevel.Debug, "Router chose {Model} with confidence {Confidence:F3}.")]
    public static partial void Routed(ILogger logger, string model, double confidence);

    [LoggerMessage(5, LogLevel.Debug, "Router not confident ({Confidence:F3} < {Threshold:F3}); the fallback answers.")]
    public static partial void RouterFallback(ILogger logger, double confidence, double threshold);
}
