using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;
using AgentKit.Rag.Answers;
using AgentKit.Rag.Knowledge;
using AgentKit.VectorStores.Sqlite;

namespace AgentKit.Graph.Tests;

/// <summary><see cref="RagAnswerMode.Global"/>: a knowledge base answers corpus-wide questions through the graph's global search, citing the chunks behind the communities.</summary>
public sealed class GlobalAnswerModeTests : IDisposable
{
    private readonly GraphFixture _graph = new();
    private readonly ScriptedSummaryModel _model = new();
    private readonly string _documents = Directory.CreateTempSubdirectory("agentkit-graph-global-").FullName;
    private readonly SqliteVectorStore _vectors;

    public GlobalAnswerModeTests() => _vectors = new SqliteVectorStore(_graph.DatabasePath);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _vectors.Dispose();
        _graph.Dispose();
        Directory.Delete(_documents, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GlobalMode_AnswersFromCommunitySummaries_CitingTheChunksBehindTheCitedCommunities(bool streaming)
    {
        using var knowledge = await IngestedAsync(RagAnswerMode.Global);
        Assert.Equal(2, await SummarizeAsync());
        _model.MapKeyword = "solar";

        RagAnswer answer;
        if (streaming)
        {
            var answerer = await knowledge.CreateAnswererAsync(_model.Client, Shared.Registry, cancellationToken: Ct);
            var updates = await answerer.AnswerStreamingAsync("What are the main themes?", cancellationToken: Ct).ToListAsync(Ct);
            var update = Assert.Single(updates);
            answer = update.Answer!;
            Assert.Equal(answer.Text, update.Text);
        }
        else
        {
            answer = await knowledge.AnswerAsync("What are the main themes?", cancellationToken: Ct);
        }

        Assert.Equal(RagAnswerMode.Global, answer.Mode);
        Assert.Equal((1, 1), (_model.Maps, _model.Reduces));
        var citation = Assert.Single(answer.Citations);
        Assert.Equal("a.txt", Path.GetFileName(citation.Chunk.Source));
        Assert.Equal([1], answer.UsedNumbers);
        Assert.StartsWith("Themes: [1] (rating 80) Point: ", answer.Text, StringComparison.Ordinal);
        Assert.Contains("solar inverters", answer.Text, StringComparison.Ordinal);
        var community = Assert.Single(answer.Communities);
        Assert.Equal([citation.Chunk.Id.ToString()], community.Evidence);
    }

    [Fact]
    public async Task GlobalMode_WithoutCommunitySummaries_SaysSo_AndCitesNothing()
    {
        using var knowledge = await IngestedAsync(RagAnswerMode.Global);

        var answer = await knowledge.AnswerAsync("What are the main themes?", cancellationToken: Ct);

        Assert.Contains("no community summaries", answer.Text, StringComparison.Ordinal);
        Assert.Empty(answer.Citations);
        Assert.Equal(0, _model.Maps);
    }

    [Fact]
    public async Task PassagesMode_OfTheSameBase_StillAnswersFromRetrievedPassages()
    {
        using var knowledge = await IngestedAsync(RagAnswerMode.Passages);
        var model = new AgentKit.Testing.ScriptedChatClient("Zentrix makes solar inverters [1].");
        var answerer = await knowledge.CreateAnswererAsync(model, Shared.Registry, new RagAnswererOptions(), Ct);

        var answer = await answerer.AnswerAsync("What does Zentrix make?", cancellationToken: Ct);

        Assert.Equal(RagAnswerMode.Passages, answer.Mode);
        Assert.Empty(answer.Communities);
        Assert.Contains("<documents>", Assert.Single(model.Calls).Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GlobalMode_WithoutAGlobalSearch_IsRefused_NamingTheSetting()
    {
        using var knowledge = new KnowledgeBase("docs", new KnowledgeBaseOptions { Sources = [_documents] }, _vectors, Shared.Embedder);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => knowledge.CreateAnswererAsync(_model.Client, Shared.Registry, new RagAnswererOptions { Mode = RagAnswerMode.Global }, Ct));

        Assert.Contains("RagAnswererOptions.Mode is Global", error.Message, StringComparison.Ordinal);
    }

    private async Task<KnowledgeBase> IngestedAsync(RagAnswerMode mode)
    {
        _graph.Model.Facts["Zentrix makes solar inverters."] = [new OracleFact("Zentrix", "organization", "makes", "solar inverters", "product")];
        _graph.Model.Facts["Kappa Labs is based in Porto."] = [new OracleFact("Kappa Labs", "organization", "based in", "Porto", "place")];
        await File.WriteAllTextAsync(Path.Combine(_documents, "a.txt"), "Zentrix makes solar inverters.", Ct);
        await File.WriteAllTextAsync(Path.Combine(_documents, "b.txt"), "Kappa Labs is based in Porto.", Ct);
        var knowledge = new KnowledgeBase("docs", new KnowledgeBaseOptions { Sources = [_documents], UseGraph = true, AnswerMode = mode }, _vectors, Shared.Embedder,
            chatClient: () => _model.Client, prompts: Shared.Registry, graphSink: _graph.Indexer, graphSource: _graph.Search,
            globalSearch: new GraphGlobalSearch(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder));
        await knowledge.IngestAsync(cancellationToken: Ct);
        return knowledge;
    }

    private async Task<int> SummarizeAsync()
    {
        using var summarizer = new CommunitySummarizer(_graph.Store, _model.Client, Shared.Registry, Shared.Embedder);
        return (await summarizer.RefreshAsync(Ct)).Summarized;
    }
}
