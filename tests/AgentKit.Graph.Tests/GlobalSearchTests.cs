using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;

namespace AgentKit.Graph.Tests;

public sealed class GlobalSearchTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GraphFixture _graph = new();
    private readonly ScriptedSummaryModel _model = new();

    public void Dispose() => _graph.Dispose();

    [Fact]
    public async Task Search_MapsOverTheReports_AndReducesToOneAnswerCitingCommunitiesAndChunks()
    {
        var ct = TestContext.Current.CancellationToken;
        await BuildAsync();
        _model.MapKeyword = "solar";
        var search = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);

        var answer = await search.SearchAsync("What are the main themes of the collection?", ct);

        Assert.True(answer.Answered);
        Assert.Equal((1, 1, 2), (_model.Maps, _model.Reduces, answer.ModelCalls));
        Assert.Contains("solar inverters", answer.Answer, StringComparison.Ordinal);
        var cited = Assert.Single(answer.Communities);
        Assert.StartsWith("Zentrix", cited.Title, StringComparison.Ordinal);
        Assert.Equal(["a.md#0", "a.md#1"], answer.Evidence);
    }

    [Fact]
    public async Task Search_BatchesReportsWithinTheMapBudget_AndNeverExceedsMaxMapCalls()
    {
        var ct = TestContext.Current.CancellationToken;
        await BuildAsync();
        _model.MapKeyword = "based in";
        var small = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder, new GlobalSearchOptions { MaxMapTokens = 100 });
        var answer = await small.SearchAsync("What places do the documents mention?", ct);
        Assert.Equal((2, 3), (_model.Maps, answer.ModelCalls));
        Assert.Equal(2, answer.Communities.Count);

        var one = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder, new GlobalSearchOptions { MaxMapTokens = 100, MaxMapCalls = 1 });
        answer = await one.SearchAsync("What places do the documents mention?", ct);
        Assert.Equal(2, answer.ModelCalls);
        Assert.Single(answer.Communities);
    }

    [Fact]
    public async Task Search_WhenNoPointHelps_AnswersNotAnsweredWithoutAReduceCall()
    {
        var ct = TestContext.Current.CancellationToken;
        await BuildAsync();
        _model.RawMapAnswer = """{"points": [{"text": "A point citing a report that was not given.", "rating": 90, "reports": [7]}]}""";
        var search = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);

        var answer = await search.SearchAsync("What are the main themes?", ct);

        Assert.False(answer.Answered);
        Assert.Equal((0, 1), (_model.Reduces, answer.ModelCalls));
        Assert.Empty(answer.Communities);
    }

    [Fact]
    public async Task Search_AMapAnswerThatStaysInvalid_IsSkipped_AndOnlyAllFailedFailsTheSearch()
    {
        var ct = TestContext.Current.CancellationToken;
        await BuildAsync();
        _model.MapKeyword = "based in";
        var respond = _model.Client.Respond!;
        var maps = 0;
        _model.Client.Respond = (messages, options) =>
            messages.Any(m => m.Text.Contains("<reports>", StringComparison.Ordinal)) && Interlocked.Increment(ref maps) <= 2
                ? new(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, """{"points": "none"}"""))
                : respond(messages, options);
        var search = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder, new GlobalSearchOptions { MaxMapTokens = 100, MaxParallelMaps = 1 });

        var answer = await search.SearchAsync("What places do the documents mention?", ct);
        Assert.True(answer.Answered);
        Assert.Single(answer.Communities);

        maps = -100;
        await Assert.ThrowsAsync<AgentKit.Prompts.PromptOutputException>(() => search.SearchAsync("What places do the documents mention?", ct));
    }

    [Fact]
    public async Task Search_WithoutReports_SaysSoWithoutModelCalls()
    {
        var search = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);

        var answer = await search.SearchAsync("What are the main themes?", TestContext.Current.CancellationToken);

        Assert.False(answer.Answered);
        Assert.Equal(0, _model.Client.CallCount);
        Assert.Contains("no community summaries", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_Cancelled_Throws()
    {
        await BuildAsync();
        var search = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search.SearchAsync("What are the main themes?", cancelled.Token));
    }

    [Fact]
    public async Task AsAIFunction_AnswersThroughTheTool()
    {
        var ct = TestContext.Current.CancellationToken;
        await BuildAsync();
        _model.MapKeyword = "solar";
        var tool = new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder).AsAIFunction();

        var result = await tool.InvokeAsync(new Microsoft.Extensions.AI.AIFunctionArguments { ["question"] = "What are the main themes?" }, ct);

        Assert.Equal(GraphGlobalSearch.ToolName, tool.Name);
        Assert.Contains("solar inverters", result?.ToString(), StringComparison.Ordinal);
    }

    private async Task BuildAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await IndexAsync("a.md", ("Zentrix makes solar inverters.", new OracleFact("Zentrix", "organization", "makes", "solar inverters", "product")),
            ("Zentrix is based in Lisbon.", new OracleFact("Zentrix", "organization", "based in", "Lisbon", "place")));
        await IndexAsync("b.md", ("Bob Stone leads Kappa Labs.", new OracleFact("Bob Stone", "person", "leads", "Kappa Labs", "organization")),
            ("Kappa Labs is based in Porto.", new OracleFact("Kappa Labs", "organization", "based in", "Porto", "place")));
        using var summarizer = new CommunitySummarizer(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);
        Assert.Equal(2, (await summarizer.RefreshAsync(ct)).Summarized);
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
