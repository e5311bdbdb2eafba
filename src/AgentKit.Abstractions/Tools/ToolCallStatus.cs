namespace AgentKit.Abstractions.Tools;

/// <summary>How a tool call ended, as reported in run events.</summary>
public enum ToolCallStatus
{
    /// <summary>The tool ran and returned a result.</summary>
    Succeeded,

    /// <summary>The tool is not on the agent's allowlist (or does not exist); it did not run.</summary>
    NotAllowed,

    /// <summary>The arguments did not match the tool's JSON schema; it did not run.</summary>
    InvalidArguments,

    /// <summary>The tool ran past its timeout and was cancelled.</summary>
    TimedOut,

    /// <summary>The tool threw; the model got the error without the stack trace.</summary>
    Failed,

    /// <summary>A person (or the approval timeout) denied the call; it did not run.</summary>
    Denied,
}
