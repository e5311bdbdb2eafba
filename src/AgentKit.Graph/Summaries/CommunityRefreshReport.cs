namespace AgentKit.Graph;

/// <summary>What one <see cref="CommunitySummarizer.RefreshAsync"/> did.</summary>
/// <param name="Communities">Communities found with at least <see cref="CommunitySummaryOptions.MinMembers"/> entities (at most <see cref="CommunitySummaryOptions.MaxCommunities"/>).</param>
/// <param name="Summarized">Communities summarised by the model (new, or changed members or facts).</param>
/// <param name="Unchanged">Communities whose report was kept.</param>
/// <param name="Removed">Reports deleted because their community no longer exists as it was.</param>
/// <param name="Failures">Communities the model failed to summarise (retried at the next refresh), with the reason.</param>
public sealed record CommunityRefreshReport(int Communities, int Summarized, int Unchanged, int Removed, IReadOnlyList<string> Failures);
