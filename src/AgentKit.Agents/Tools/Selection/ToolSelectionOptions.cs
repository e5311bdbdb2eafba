namespace AgentKit.Agents.Tools.Selection;

/// <summary>
/// Per-turn tool selection for an agent with many tools: each model call is shown only the tools most relevant to
/// the conversation's recent turns, the always-on tools, and <c>find_tools</c> to ask for more. The agent's
/// allowlist (<see cref="AgentDefinition.Tools"/>) is unchanged: selection limits what is shown, not what may run.
/// </summary>
public sealed class ToolSelectionOptions
{
    /// <summary>The name of the meta-tool the model calls to search the agent's other tools.</summary>
    public const string FindToolsName = "find_tools";

    private int _topK = 8;
    private int _findTopK = 5;
    private int _recentMessages = 4;
    private double _keywordWeight = 0.35;

    /// <summary>How many tools selection shows per model call, besides the always-on ones and <c>find_tools</c>; from 1 to 100. Defaults to 8.</summary>
    public int TopK
    {
        get => _topK;
        set => _topK = value is >= 1 and <= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "TopK must be from 1 to 100.");
    }

    /// <summary>Tools shown on every call whatever the conversation is about; each must be on the agent's allowlist. Default: none.</summary>
    public IList<string> AlwaysOn { get; init; } = [];

    /// <summary>How many tools one <c>find_tools</c> call returns and makes callable for the rest of the turn; from 1 to 50. Defaults to 5.</summary>
    public int FindTopK
    {
        get => _findTopK;
        set => _findTopK = value is >= 1 and <= 50 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "FindTopK must be from 1 to 50.");
    }

    /// <summary>How many of the latest user and assistant messages describe the request; from 1 to 20. Defaults to 4.</summary>
    public int RecentMessages
    {
        get => _recentMessages;
        set => _recentMessages = value is >= 1 and <= 20 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "RecentMessages must be from 1 to 20.");
    }

    /// <summary>The keyword side's weight in the fusion with embedding similarity, from 0 (embeddings only) to 1 (keywords only). Defaults to 0.35.</summary>
    public double KeywordWeight
    {
        get => _keywordWeight;
        set => _keywordWeight = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "KeywordWeight must be from 0 to 1.");
    }
}
