namespace AgentKit.Prompts;

/// <summary>What a reload of a <see cref="PromptRegistry"/> changed.</summary>
public sealed class PromptsChangedEventArgs : EventArgs
{
    internal PromptsChangedEventArgs(IReadOnlyList<string> updated, IReadOnlyList<string> removed, IReadOnlyList<PromptException> failed)
    {
        Updated = updated;
        Removed = removed;
        Failed = failed;
    }

    /// <summary>Prompts added or replaced by a new version.</summary>
    public IReadOnlyList<string> Updated { get; }

    /// <summary>Prompts whose file is gone.</summary>
    public IReadOnlyList<string> Removed { get; }

    /// <summary>Files that failed to load; a prompt that loaded before keeps its last good version.</summary>
    public IReadOnlyList<PromptException> Failed { get; }
}
