namespace AgentKit.Planning;

/// <summary>The result of <see cref="TreeOfThoughtsPlanner"/>.</summary>
public sealed record TreeOfThoughtsResult : PlanningResult
{
    /// <summary>The search tree: every state, score, parent link and the chosen path.</summary>
    public required ThoughtTree Tree { get; init; }

    /// <summary>The solution state; <see langword="null"/> when none was found.</summary>
    public ThoughtState? Solution { get; init; }

    /// <summary>Whether sibling calls were batched through multi-sequence decoding.</summary>
    public bool UsedMultiSequence { get; init; }

    /// <summary>Multi-sequence batches sent.</summary>
    public int Batches { get; init; }
}
