namespace AgentKit.Sandbox;

/// <summary>The limit of <see cref="SandboxOptions"/> a program ran into.</summary>
public enum SandboxLimit
{
    /// <summary><see cref="SandboxOptions.Timeout"/>: the program (a loop, a regular expression, promise jobs) ran too long.</summary>
    WallTime,

    /// <summary><see cref="SandboxOptions.MaxStatements"/>.</summary>
    Statements,

    /// <summary><see cref="SandboxOptions.MaxMemoryBytes"/>.</summary>
    Memory,

    /// <summary><see cref="SandboxOptions.MaxRecursionDepth"/>, or the native stack running low.</summary>
    RecursionDepth,

    /// <summary><see cref="SandboxOptions.MaxArrayLength"/>.</summary>
    ArrayLength,

    /// <summary><see cref="SandboxOptions.MaxOutputChars"/>.</summary>
    Output,

    /// <summary><see cref="SandboxOptions.MaxResultChars"/>.</summary>
    Result,

    /// <summary><see cref="SandboxOptions.MaxCodeChars"/>.</summary>
    CodeSize,

    /// <summary><see cref="SandboxOptions.MaxInputChars"/>.</summary>
    InputSize,

    /// <summary><see cref="SandboxOptions.MaxConcurrentRuns"/> were running for all of <see cref="SandboxOptions.QueueTimeout"/>.</summary>
    Concurrency,
}
