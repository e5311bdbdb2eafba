namespace AgentKit.Sandbox.Making;

/// <summary>Where made tools are kept, who sees them, whether they need approval, and the bounds on a proposal (<c>AgentKit:Tools:Making</c>).</summary>
public sealed record ToolMakingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AgentKit:Tools:Making";

    /// <summary>The SQLite file of the made tools. Required; hosting defaults it to <c>made-tools.db</c> beside the sessions file.</summary>
    public string? Path { get; set; }

    /// <summary>Whether a made tool (each version) needs a person's approval, through the tool pipeline's approval handler, before its first call. Default: <see langword="true"/>.</summary>
    public bool RequireApproval { get; set; } = true;

    /// <summary>Who gets the tools an agent makes: the agent alone, or every agent that uses made tools. Default: <see cref="MadeToolScope.Agent"/>.</summary>
    public MadeToolScope Scope { get; set; } = MadeToolScope.Agent;

    /// <summary>Characters of a tool's JavaScript body (at least 64). Default: 8,192.</summary>
    public int MaxBodyChars { get; set; } = 8_192;

    /// <summary>Characters of a tool's description (at least 16). Default: 1,024.</summary>
    public int MaxDescriptionChars { get; set; } = 1_024;

    /// <summary>Characters of a tool's parameter schema as JSON (at least 64). Default: 8,192.</summary>
    public int MaxSchemaChars { get; set; } = 8_192;

    /// <summary>Examples a proposal must carry (at least 1). Default: 1.</summary>
    public int MinExamples { get; set; } = 1;

    /// <summary>Examples a proposal may carry (1 to 100, at least <see cref="MinExamples"/>). Default: 10.</summary>
    public int MaxExamples { get; set; } = 10;

    /// <summary>Characters of one example's input or expected output as JSON (at least 64). Default: 4,096.</summary>
    public int MaxExampleChars { get; set; } = 4_096;

    /// <summary>Made tools (names not removed) one scope may hold (at least 1). Default: 200.</summary>
    public int MaxTools { get; set; } = 200;

    /// <summary>Versions kept of one tool (at least 1); a proposal past it is refused until versions are removed. Default: 20.</summary>
    public int MaxVersions { get; set; } = 20;

    /// <summary>Checks the values; the message names the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="Path"/> is missing.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("The made tools' SQLite file is not set.", nameof(Path));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBodyChars, 64, nameof(MaxBodyChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDescriptionChars, 16, nameof(MaxDescriptionChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSchemaChars, 64, nameof(MaxSchemaChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinExamples, 1, nameof(MinExamples));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxExamples, 100, nameof(MaxExamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxExamples, MinExamples, nameof(MaxExamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxExampleChars, 64, nameof(MaxExampleChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTools, 1, nameof(MaxTools));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxVersions, 1, nameof(MaxVersions));
    }
}

/// <summary>Who gets a made tool.</summary>
public enum MadeToolScope
{
    /// <summary>The agent that made it.</summary>
    Agent,

    /// <summary>Every agent that uses made tools.</summary>
    Shared,
}
