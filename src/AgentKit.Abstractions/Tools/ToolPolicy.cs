namespace AgentKit.Abstractions.Tools;

/// <summary>Per-tool settings that override <see cref="ToolPipelineOptions"/> for one tool.</summary>
public sealed record ToolPolicy
{
    /// <summary>How long one invocation may run; <see langword="null"/> uses <see cref="ToolPipelineOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The most characters of a result sent back to the model; <see langword="null"/> uses <see cref="ToolPipelineOptions.MaxResultLength"/>.</summary>
    public int? MaxResultLength { get; init; }

    /// <summary>Whether a person must approve each call before it runs (for side-effecting tools). Defaults to <see langword="false"/>; a tool already wrapped in <c>ApprovalRequiredAIFunction</c> always requires approval.</summary>
    public bool RequiresApproval { get; init; }

    /// <summary>
    /// What a resumed agent run does with a call of this tool that started before a crash and has no recorded
    /// result. Defaults to <see cref="ToolIdempotency.NotIdempotent"/>: a person is asked before it runs again.
    /// </summary>
    public ToolIdempotency Idempotency { get; init; }

    /// <summary>
    /// What a chat page shows its user while the tool runs, in plain words ("Checking your order…");
    /// <see langword="null"/> derives a generic text from the tool's name (see <see cref="ToolActivity.Describe"/>).
    /// </summary>
    public string? Activity { get; init; }

    /// <summary>What a chat page shows once the tool succeeded ("Label sent"); <see langword="null"/> for a generic text.</summary>
    public string? Completed { get; init; }
}

/// <summary>A tool's activity in plain words for the people watching a run, as declared in its <see cref="ToolPolicy"/>.</summary>
/// <param name="Running">Shown while the tool runs ("Checking your order…").</param>
/// <param name="Completed">Shown once it succeeded ("Label sent").</param>
public sealed record ToolActivity(string Running, string Completed)
{
    /// <summary>The declared texts, or generic ones made from the tool's name (<c>orders_lookup_order</c>: "Orders lookup order…", "Orders lookup order: done").</summary>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="policy">Its policy, when it has one.</param>
    /// <returns>The texts.</returns>
    public static ToolActivity Describe(string toolName, ToolPolicy? policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        var words = toolName.Replace('_', ' ').Replace('-', ' ').Trim();
        var generic = words.Length == 0 ? "Working" : char.ToUpperInvariant(words[0]) + words[1..];
        return new(policy?.Activity ?? generic + "…", policy?.Completed ?? generic + ": done");
    }
}
