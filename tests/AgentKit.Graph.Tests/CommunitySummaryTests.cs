using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;

namespace AgentKit.Graph.Tests;

public sealed class CommunitySummaryTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GraphFixture _graph = new();
    private readonly ScriptedSummaryModel _model = new();
    private readonly CommunitySummarizer _summarizer;

    public CommunitySummaryTests() => _summarizer = new CommunitySummarizer(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);

    public void Dispose()
    {
        _summarizer.Dispose();
        _graph.Dispose();
    }

    [Fact]
    public async Task Refresh_SummarizesOnlyCommunitiesWhoseMembersOrFactsChanged()
    {
        var ct = TestContext.Current.CancellationToken;
        await IndexAsync("a.md", ("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")),
            ("Zentrix is based in Lisbon.", new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place")));
        await IndexAsync("b.md", ("Bob Stone leads Kappa Labs.", new OracleFact("Bob Stone", "person", "leads", "Kappa Labs", "organization")),
            ("Kappa Labs is based in Porto.", new OracleFact("Kappa Labs", "organization", "based in", "Porto", "place")));

        var first = await _summarizer.RefreshAsync(ct);
        Assert.Equal((2, 2, 0, 0), (first.Communities, first.Summarized, first.Unchanged, first.Removed));
        Assert.Equal(2, _model.Client.CallCount);
        var reports = await _graph.Store.GetCommunitiesAsync(ct);
        var zentrix = Assert.Single(reports, r => r.Summary.Contains("Zentrix", StringComparison.Ordinal));
        Assert.Equal(3, zentrix.Members.Count);
        Assert.Equal(["a.md#0", "a.md#1"], zentrix.Evidence);
        Assert.Equal(384, zentrix.Embedding.Length);

        var again = await _summarizer.RefreshAsync(ct);
        Assert.Equal((0, 2, 0), (again.Summarized, again.Unchanged, again.Removed));
        Assert.Equal(2, _model.Client.CallCount);

        // One fact of b.md changes: only its community is summarised again; a.md's report is the same row.
        await IndexAsync("b.md", ("Bob Stone leads Kappa Labs.", new OracleFact("Bob Stone", "person", "leads", "Kappa Labs", "organization")),
            ("Kappa Labs is based in Madrid.", new OracleFact("Kappa Labs", "organization", "based in", "Madrid", "place")));
        var changed = await _summarizer.RefreshAsync(ct);
        Assert.Equal((1, 1, 1), (changed.Summarized, changed.Unchanged, changed.Removed));
        Assert.Equal(3, _model.Client.CallCount);
        reports = await _graph.Store.GetCommunitiesAsync(ct);
        Assert.Contains(reports, r => r.Id == zentrix.Id && r.UpdatedAt == zentrix.UpdatedAt);
        Assert.Contains(reports, r => r.Summary.Contains("Madrid", StringComparison.Ordinal));
        Assert.DoesNotContain(reports, r => r.Summary.Contains("Porto", StringComparison.Ordinal));

        // b.md is deleted: its report goes without a model call.
        await _graph.Indexer.RemoveSourceAsync("b.md", ct);
        var removed = await _summarizer.RefreshAsync(ct);
        Assert.Equal((1, 0, 1, 1), (removed.Communities, removed.Summarized, removed.Unchanged, removed.Removed));
        Assert.Equal(3, _model.Client.CallCount);
        Assert.Equal(zentrix.Id, Assert.Single(await _graph.Store.GetCommunitiesAsync(ct)).Id);
    }

    [Fact]
    public async Task Refresh_AReExtractionWithTheSameFacts_KeepsTheReport()
    {
        var ct = TestContext.Current.CancellationToken;
        await IndexAsync("a.md", ("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")));
        await _summarizer.RefreshAsync(ct);

        // New text, same facts: the chunk is extracted again (new row ids), but the community's input is the same.
        await IndexAsync("a.md", ("Zentrix was founded by Alice Moreau.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")));
        var report = await _summarizer.RefreshAsync(ct);

        Assert.Equal((0, 1), (report.Summarized, report.Unchanged));
        Assert.Equal(1, _model.Client.CallCount);
    }

    [Fact]
    public async Task Refresh_AnInvalidSummary_IsReportedAndRetriedNextTime()
    {
        var ct = TestContext.Current.CancellationToken;
        await IndexAsync("a.md", ("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")));
        var respond = _model.Client.Respond;
        _model.Client.Respond = (_, _) => new(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, """{"title": "x"}"""));

        var failed = await _summarizer.RefreshAsync(ct);
        Assert.Equal((1, 0), (failed.Communities, failed.Summarized));
        Assert.Contains("not summarised", Assert.Single(failed.Failures), StringComparison.Ordinal);
        Assert.Empty(await _graph.Store.GetCommunitiesAsync(ct));

        _model.Client.Respond = respond;
        var retried = await _summarizer.RefreshAsync(ct);
        Assert.Equal(1, retried.Summarized);
    }

    [Fact]
    public async Task Refresh_NeverSummarizesMoreThanMaxCommunities_LargestFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await IndexAsync("a.md", ("Alice Moreau founded Zentrix.", new OracleFact("Alice Moreau", "person", "founded", "Zentrix", "organization")),
            ("Zentrix is based in Lisbon.", new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place")));
        await IndexAsync("b.md", ("Bob Stone leads Kappa Labs.", new OracleFact("Bob Stone", "person", "leads", "Kappa Labs", "organization")));
        using var bounded = new CommunitySummarizer(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder, new CommunitySummaryOptions { MaxCommunities = 1 });

        var report = await bounded.RefreshAsync(ct);

        Assert.Equal((1, 1), (report.Communities, _model.Client.CallCount));
        Assert.Equal(3, Assert.Single(await _graph.Store.GetCommunitiesAsync(ct)).Members.Count);
    }

    [Fact]
    public void Options_OutOfRange_NameTheSetting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CommunitySummaryOptions { MinMembers = 1 }.Validate());
        Assert.Contains("CommunitySummaryOptions.MinMembers", e.Message, StringComparison.Ordinal);
    }

    private async Task IndexAsync(string source, params (string Text, OracleFact Fact)[] chunks)
    {
        foreach (var (text, fact) in chunks)
        {
            _graph.Model.Facts[text] = [fact];
        }

        await _graph.Indexer.UpdateSourceAsync(source, GraphEvidenceKind.Chunk, [.. chunks.Select((c, i) => new GraphEvidenceItem($"{source}#{i}", c.Text, Time))], TestContext.Current.CancellationToken);
    }
}
