using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Retrieval;
using AgentKit.Rag.Tests.Support;
using AgentKit.Testing;

namespace AgentKit.Rag.Tests.Retrieval;

public sealed class PromptRerankerTests : IAsyncLifetime
{
    private KnowledgeBase _kb = null!;
    private readonly PromptRegistry _prompts = new(new PromptRegistryOptions { RootDirectory = Path.Combine(AppContext.BaseDirectory, "prompts"), WatchForChanges = false });

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _kb = await Corpus.CreateAsync(Token);

    public async ValueTask DisposeAsync()
    {
        _prompts.Dispose();
        await _kb.DisposeAsync();
    }

    [Fact]
    public async Task Rerank_ByModelScores_ReordersAndUnscoredSink()
    {
        // The model scores candidate 3 highest, candidate 1 lowest, and leaves the others out.
        var client = new ScriptedChatClient("""{"scores":[{"id":3,"score":9},{"id":1,"score":2}]}""");
        var retriever = new RagRetriever(_kb.Collection, _kb.Embedder, new PromptReranker(client, _prompts));
        var firstStage = await new RagRetriever(_kb.Collection, _kb.Embedder).RetrieveAsync("filter cartridge", new RetrievalOptions { Top = 5 }, Token);

        var results = await retriever.RetrieveAsync("filter cartridge", new RetrievalOptions { Top = 5, Rerank = true }, Token);

        Assert.Equal(firstStage[2].Id, results[0].Id);
        Assert.Equal(firstStage[0].Id, results[1].Id);
        Assert.Equal((9.0, 2.0, -1.0), (results[0].Score, results[1].Score, results[2].Score));
        var call = Assert.Single(client.Calls);
        Assert.NotNull(call.Options?.ResponseFormat); // the prompt's outputs schema is the response format
        Assert.Contains("Query: filter cartridge", call.Messages[^1].Text, StringComparison.Ordinal);
        Assert.Contains("<document id=\"5\"", call.Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerank_InvalidJsonTwice_ThrowsPromptOutputException()
    {
        var client = new ScriptedChatClient("not json", "still not json");
        var retriever = new RagRetriever(_kb.Collection, _kb.Embedder, new PromptReranker(client, _prompts));

        await Assert.ThrowsAsync<PromptOutputException>(() => retriever.RetrieveAsync("filter", new RetrievalOptions { Rerank = true }, Token));
        Assert.Equal(2, client.Calls.Count);
    }

    [Theory]
    [InlineData("rag/answer")]
    [InlineData("rag/rerank")]
    public void RagPrompts_LoadLintCleanAndRenderTheirSamples(string name)
    {
        var prompt = _prompts.Get(name);

        Assert.Empty(PromptLinter.Lint(prompt));
        Assert.NotEmpty(prompt.Render(prompt.Sample));
    }
}
