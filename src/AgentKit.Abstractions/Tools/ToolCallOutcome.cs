namespace AgentKit.Abstractions.Tools;

/// <summary>What the governed pipeline did with one tool call.</summary>
/// <param name="Status">How the call ended.</param>
/// <param name="Text">
/// What the caller shows the model: the tool's result as text (capped, with a <c>[truncated: …]</c> marker when cut)
/// or, for every other status, an <c>Error: …</c> text saying what went wrong and what to do.
/// </param>
public sealed record ToolCallOutcome(ToolCallStatus Status, string Text)
{
    /// <summary>Whether the tool ran and returned a result.</summary>
    public bool Succeeded => Status == ToolCallStatus.Succeeded;
}
